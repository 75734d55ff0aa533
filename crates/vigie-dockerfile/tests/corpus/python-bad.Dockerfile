FROM python:3.12
ARG PYPI_TOKEN
ENV GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
WORKDIR /srv
COPY requirements.txt .
RUN pip install -r requirements.txt gunicorn
RUN python3 -m pip install --no-cache-dir django
RUN bash -c "apt-get update && apt-get install -y libpq-dev"
COPY . .
CMD ["gunicorn", "app:app"]
