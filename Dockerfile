# eisfem in a container, for clusters (Docker, or Apptainer/Singularity built from it).
# The install is the README's, not a second recipe: `make setup` on Debian 12 with Python 3.12
# (it runs scripts/system-deps.sh for the libraries the wheels need, then pip-installs
# pyproject.toml into /opt/eisfem/.venv). MPI is the MPICH that the wheels bring
# (/opt/eisfem/.venv/bin/mpiexec); see the README for running under the host's MPI.
#   docker build -t eisfem .
#   docker run --rm -v "$PWD":/work eisfem run configs/demo.yaml --out runs/demo
#   apptainer build eisfem.sif docker-daemon://eisfem:latest
FROM python:3.12-slim-bookworm

# make is the only thing the README's install needs beyond Python itself. Debian's package
# versions are not pinned (DL3008): bookworm's security updates replace pinned versions.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/eisfem
COPY . .
RUN make setup PYTHON=/usr/local/bin/python3.12 \
    && rm -rf /var/lib/apt/lists/* /root/.cache/pip

ENV PATH=/opt/eisfem/.venv/bin:$PATH
WORKDIR /work
ENTRYPOINT ["eisfem"]
CMD ["--help"]
