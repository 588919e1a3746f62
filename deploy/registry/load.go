package registry

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"

	"github.com/slm-project/slm/deploy/awsdeploy"
)

// Load returns a Registry with the default credential chain's clients in
// region, or the SDK's default region (AWS_REGION, the profile's) when it is
// empty; AWS_ENDPOINT_URL points them at an emulator. It refuses with what
// to set when there are no credentials, as slm plan does.
func Load(ctx context.Context, region string) (*Registry, error) {
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, awsdeploy.ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("%w\n(the SDK said: %v)", awsdeploy.ErrNoCredentials, err)
	}
	return New(cfg, cfg.Region), nil
}
