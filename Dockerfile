# Build stage: the .NET SDK restores and publishes the follow command.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Follow.sln ./
COPY src/ src/
RUN dotnet publish src/Follow/Follow.csproj -c Release -o /app --nologo

# Runtime stage: the .NET runtime plus the PostgreSQL client tools (pg_dump, pg_restore, psql) the clone uses.
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN printf '#!/bin/sh\nexec dotnet /app/follow.dll "$@"\n' > /usr/local/bin/follow && chmod 755 /usr/local/bin/follow
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["follow"]
CMD ["--help"]
