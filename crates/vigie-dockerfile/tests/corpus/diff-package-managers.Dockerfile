FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends curl=7
USER root
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl=7
RUN pip install flask requests==1 -r req.txt ./local .
RUN pip install --no-cache-dir flask==1
RUN npm install express lodash@4 && npm install
RUN gem install rails && gem install x -v 1 && gem install y:1
RUN apk add curl && apk add --no-cache bash=5
RUN yum install -y httpd && yum install httpd-2.4
RUN dnf install httpd && zypper install curl
COPY --from=builder /a /b
COPY --from=0 /a /b
COPY --from=nginx:1 /a /b
COPY a b c
ADD a.txt /x
ADD https://x/y.tar.gz /z
WORKDIR app
EXPOSE 70000
HEALTHCHECK CMD true
HEALTHCHECK CMD false
CMD echo hi
CMD ["x"]
USER root
MAINTAINER me
RUN cd /tmp && ssh x && wget y && curl z
