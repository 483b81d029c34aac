"""kubemap: convert a Docker Compose project to Kubernetes manifests and show how each key maps."""

__version__ = "0.1.0"
