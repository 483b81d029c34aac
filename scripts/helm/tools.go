//go:build tools

// Package tools pins Helm for kubemap's chart tests (scripts/build-helm.sh builds
// helm.sh/helm/v4/cmd/helm from this module, so go.mod and go.sum fix every dependency).
package tools

import _ "helm.sh/helm/v4/cmd/helm"
