# A stand-in for the official rust:1-slim-bookworm image: Debian's C
# toolchain and the host's stable Rust toolchain, for machines that can
# pull no images and download no toolchains. The build then fetches
# crates from crates.io as it would with the official image.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY toolchain /usr/local/rust
# This machine reaches crates.io through a TLS-inspecting gateway; its CA
# bundle goes into the stand-in (the official image needs none of this).
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PATH=/usr/local/rust/bin:$PATH
