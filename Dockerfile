# Build stage: compile the release binary.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY migrations ./migrations
# The demo dataset is built into the binary (`serve --demo`).
COPY data ./data
RUN cargo build --release --locked

# Runtime stage: a slim image with the binary only, run as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home aimd
COPY --from=build /src/target/release/aimd-registry /usr/local/bin/aimd-registry
USER aimd
ENV AIMD_BIND=0.0.0.0:8080 \
    AIMD_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["aimd-registry"]
CMD ["serve"]
