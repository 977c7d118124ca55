# A stand-in for the official postgres image, made from Debian's packages
# (PostgreSQL 15 on bookworm), for machines that cannot pull images. It
# honours the same POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB, keeps
# its data in /var/lib/postgresql/data and has pg_isready, which is all
# docker-compose.yml asks of the official one.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql \
    && rm -rf /var/lib/apt/lists/*
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
