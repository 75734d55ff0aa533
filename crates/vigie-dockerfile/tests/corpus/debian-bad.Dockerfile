FROM debian:latest
MAINTAINER Jane Doe <jane@example.com>
ENV DB_PASSWORD=hunter2 AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
RUN apt-get update && apt-get upgrade -y
RUN sudo apt-get install -y vim curl
RUN apt-get install nginx
ADD app.conf /etc/nginx/conf.d/
ADD https://example.com/tool.tar.gz /opt/
COPY id_rsa /root/.ssh/id_rsa
RUN curl -fsSL https://get.example.sh | bash
RUN chmod -R 777 /var/www
EXPOSE 22 80
WORKDIR app
CMD nginx -g 'daemon off;'
