//go:build tools

// Package tools pins the Compose CLI in go.mod; scripts/build-compose.sh builds it.
package tools

import _ "github.com/docker/compose/v5/cmd"
