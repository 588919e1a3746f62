package awsdeploy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// LockInfo is what the lock object holds: who holds it and for which plan.
type LockInfo struct {
	ID        string `json:"id"`
	Who       string `json:"who"`
	Operation string `json:"operation"`
	Plan      string `json:"plan_sha256,omitempty"`
	Created   string `json:"created"`
}

// Lock is a held lock: one S3 object per pipeline (project and
// environment), written with a conditional put (If-None-Match: *), the
// mechanism Terraform's S3 backend uses with use_lockfile, and released
// with a conditional delete (If-Match its ETag), so a lock someone else
// took over is never deleted by mistake.
type Lock struct {
	c    *Clients
	uri  string
	etag string
	Info LockInfo
}

// LockedError says another apply holds the lock.
type LockedError struct {
	URI    string
	Holder LockInfo
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another slm apply holds the lock %s: id %s, held by %s since %s (%s, plan %s). Wait for it to finish; if it died, release the lock with: slm force-unlock %s",
		e.URI, e.Holder.ID, e.Holder.Who, e.Holder.Created, e.Holder.Operation, short(e.Holder.Plan), e.Holder.ID)
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// NewLockID is a random lock id.
func NewLockID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a lock id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// AcquireLock takes the lock at uri, or returns a *LockedError naming the
// holder.
func (c *Clients) AcquireLock(ctx context.Context, uri string, info LockInfo) (*Lock, error) {
	bucket, key, err := splitURI(uri)
	if err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, err
	}
	out, err := c.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		IfNoneMatch: aws.String("*"), ContentType: aws.String("application/json"),
	})
	if err != nil {
		if isPreconditionFailed(err) {
			holder, _, herr := c.readLock(ctx, bucket, key)
			if herr != nil {
				return nil, fmt.Errorf("the lock %s is held, and reading who holds it failed: %w", uri, herr)
			}
			return nil, &LockedError{URI: uri, Holder: holder}
		}
		return nil, explain(err, "s3:PutObject (the apply lock)", uri)
	}
	return &Lock{c: c, uri: uri, etag: aws.ToString(out.ETag), Info: info}, nil
}

// Release deletes the lock if it is still this one's.
func (l *Lock) Release(ctx context.Context) error {
	bucket, key, _ := splitURI(l.uri)
	_, err := l.c.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: aws.String(l.etag)})
	if err != nil {
		if isPreconditionFailed(err) {
			return fmt.Errorf("the lock %s was taken over by someone else (force-unlocked?); left it alone", l.uri)
		}
		return explain(err, "s3:DeleteObject (releasing the apply lock)", l.uri)
	}
	return nil
}

// ForceUnlock releases the lock at uri when its id is id, whoever holds it.
func (c *Clients) ForceUnlock(ctx context.Context, uri, id string) (LockInfo, error) {
	bucket, key, err := splitURI(uri)
	if err != nil {
		return LockInfo{}, err
	}
	info, etag, err := c.readLock(ctx, bucket, key)
	if err != nil {
		if isNotFound(err) {
			return LockInfo{}, fmt.Errorf("no lock is held at %s", uri)
		}
		return LockInfo{}, err
	}
	if info.ID != id {
		return info, fmt.Errorf("the lock %s has id %s (held by %s since %s), not %s: nothing released", uri, info.ID, info.Who, info.Created, id)
	}
	if _, err := c.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), IfMatch: aws.String(etag)}); err != nil {
		if isPreconditionFailed(err) {
			return info, fmt.Errorf("the lock %s changed while it was being released; look again", uri)
		}
		return info, explain(err, "s3:DeleteObject (the apply lock)", uri)
	}
	return info, nil
}

func (c *Clients) readLock(ctx context.Context, bucket, key string) (LockInfo, string, error) {
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return LockInfo{}, "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return LockInfo{}, "", err
	}
	var info LockInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return LockInfo{}, "", fmt.Errorf("s3://%s/%s is not an slm lock: %w", bucket, key, err)
	}
	return info, aws.ToString(out.ETag), nil
}

func isPreconditionFailed(err error) bool {
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}
