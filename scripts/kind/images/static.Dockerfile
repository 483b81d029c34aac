# A control-plane component as a one-binary image (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd): the static Go binary in /usr/local/bin like the official images, where
# kubeadm's static Pod manifests call it by name.
FROM scratch
ARG BINARY
ENV PATH=/usr/local/bin:/usr/bin:/bin
COPY ${BINARY} /usr/local/bin/${BINARY}
# The host-path provisioner (kube-controller-manager) and etcd write below /tmp and /var.
COPY tmp/ /tmp/
ENTRYPOINT []
