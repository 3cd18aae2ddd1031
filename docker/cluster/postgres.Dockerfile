# rankrepro cluster: PostgreSQL from Debian's own package (no registry image), for Airflow's
# metadata database (and the Celery result backend) and MLflow's tracking store.
#
# The first start of an empty data volume creates the cluster with the passwords it is given
# (postgres-start.sh); nothing has a default password: the container refuses to start without them.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /var/log/dpkg.log \
 && mkdir -p /var/lib/postgresql/data /run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /run/postgresql
COPY postgres-start.sh /usr/local/bin/postgres-start
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data/pgdata \
    LANG=C.UTF-8
USER postgres
VOLUME ["/var/lib/postgresql/data"]
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=5s --start-period=30s --retries=10 CMD ["pg_isready", "-h", "127.0.0.1", "-q"]
ENTRYPOINT ["postgres-start"]
