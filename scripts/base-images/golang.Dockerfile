# Stand-in for golang:<go major.minor>-bookworm: the host's Go toolchain on bookworm.
FROM kubemap-debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends git gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY go /usr/local/go
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PATH=/go/bin:/usr/local/go/bin:$PATH GOPATH=/go GOTOOLCHAIN=local
WORKDIR /go
