# Follow's container image: `follow run`, the hosted worker, as the entrypoint.
#   docker build -t follow .
#   docker run --env-file deploy/follow.env -p 8080:8080 follow
# Other commands run in the same container: docker exec <container> follow list progress

# Build stage: the .NET SDK restores and publishes the follow command.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
WORKDIR /src
COPY Directory.Build.props Follow.sln ./
COPY src/ src/
# ReadyToRun: compiled ahead of time, so a follower starts without spending its first seconds in the JIT.
RUN dotnet publish src/Follow/Follow.csproj -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true -o /app --nologo

# Runtime stage: ASP.NET Core's runtime (the worker serves /healthz, /readyz and /status) plus the PostgreSQL
# client tools the clone runs. pg_dump must be at least as new as the source server: the client comes from the
# PostgreSQL project's apt repository, in the newest major by default (it reads every older server).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
ARG PG_CLIENT_VERSION=18
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_CLIENT_VERSION}" \
 && apt-get purge -y curl && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN printf '#!/bin/sh\nexec dotnet /app/follow.dll "$@"\n' > /usr/local/bin/follow && chmod 755 /usr/local/bin/follow \
 && install -d -o "$APP_UID" /work
# The non-root user the .NET images provide (uid 1654).
USER $APP_UID
# appsettings.json and the rules file are read from here; the clone's dump files go to the temporary directory.
WORKDIR /work
ENV FOLLOW__HTTP__PORT=8080
EXPOSE 8080
ENTRYPOINT ["follow", "run"]
