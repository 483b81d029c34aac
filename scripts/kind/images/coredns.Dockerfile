# CoreDNS as kubeadm's Deployment runs it: /coredns -conf /etc/coredns/Corefile.
FROM scratch
COPY coredns /coredns
EXPOSE 53 53/udp
ENTRYPOINT ["/coredns"]
