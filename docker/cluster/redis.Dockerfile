# rankrepro cluster: Redis from Debian's own package (no registry image), the Celery broker.
# It requires a password (REDIS_PASSWORD, no default) and keeps nothing on disk: queued Airflow
# tasks that a restart loses are re-queued by the scheduler.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /var/log/dpkg.log
COPY redis-start.sh /usr/local/bin/redis-start
USER redis
EXPOSE 6379
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=10 \
  CMD ["sh", "-c", "REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli -h 127.0.0.1 ping | grep -q PONG"]
ENTRYPOINT ["redis-start"]
