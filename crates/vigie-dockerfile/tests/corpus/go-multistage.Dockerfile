ARG GO_VERSION=1.22.3
FROM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
RUN apk add --no-cache git=2.43.0-r0
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/server ./cmd/server
USER root

FROM gcr.io/distroless/static-debian12:nonroot AS final
COPY --from=build /out/server /server
COPY --from=builder /out/other /other
USER nonroot:nonroot
ENTRYPOINT ["/server"]
