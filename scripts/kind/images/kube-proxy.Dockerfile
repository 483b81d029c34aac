# kube-proxy needs the iptables and conntrack tools it executes (iptables mode), so this one is
# Debian-based rather than FROM scratch.
FROM kubemap-debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables conntrack kmod \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY kube-proxy /usr/local/bin/kube-proxy
