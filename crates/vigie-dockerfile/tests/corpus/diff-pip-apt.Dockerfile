FROM python:3.12
RUN pip install flask
RUN pip install flask requests==1
RUN pip install -r req.txt flask
RUN pip install . 
RUN pip install ./local
RUN pip install "flask>=2"
RUN pip install flask[async]==2 git+https://x/y.git
RUN pip3 install --user flask==1 && python -m pip install django
RUN apt-get install curl
RUN apt-get -y install -t buster-backports curl=1
RUN apt-get install -qq curl=1 && apt-get install --assume-yes curl=1 && apt-get -q -q install x=1
RUN apt-get install -o APT::Install-Recommends=false -y x=1
RUN apt install -y x
RUN sudo apt-get install -y vim
RUN bash -c "apt-get install -y vim"
RUN curl -fsSL https://x | bash
RUN set -o pipefail && curl x | tar xz
RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*
EXPOSE 22 80/tcp
ENV AWS_SECRET_ACCESS_KEY=abc
USER 1000
