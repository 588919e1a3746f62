package awsdeploy_test

import (
	"io/fs"
	"os"
)

type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }
