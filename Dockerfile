# The switchyard probe as a container, for vantage points outside AWS
# (Cloud Run, any VM with a container runtime, Kubernetes). The image holds
# one static binary, no shell, and runs as an unprivileged user.
#
#   docker build -t switchyard-probe .
#   docker run --env-file probe.env -p 8080:8080 switchyard-probe
#
# The build flags match test/netns (imageBuild), which checks that the
# binary they produce is static.

ARG GO_VERSION=1.26.8

# Plain Dockerfile syntax (no BuildKit-only features), so the classic
# builder and Cloud Build build it as they are.
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/probe ./functions/probe

# distroless/static: CA certificates (the probe speaks HTTPS to origins,
# peers and the DNS API), /etc/passwd with the nonroot user, tzdata;
# nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/probe /probe
USER nonroot:nonroot
# Cloud Run sets PORT itself; elsewhere this is the default.
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/probe"]
CMD ["serve"]
