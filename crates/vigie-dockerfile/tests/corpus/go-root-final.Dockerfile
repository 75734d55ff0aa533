FROM golang:1.22.3 AS build
WORKDIR /src
COPY . .
RUN go build -o /server .
USER 10001

FROM debian:12.5-slim
COPY --from=build /server /server
ENTRYPOINT ["/server"]
