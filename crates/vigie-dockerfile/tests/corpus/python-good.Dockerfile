FROM python:3.12.3-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /srv
COPY requirements.txt .
RUN --mount=type=secret,id=pypi_token \
    pip install --require-hashes -r requirements.txt 'gunicorn==22.0.0'
COPY --chown=10001:10001 app/ ./app/
USER 10001
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
