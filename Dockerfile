# Worker container for Dataflow (and any portable Beam runner): the project, its pinned
# dependencies and its model files, baked in so that workers never download anything.
#
#   make install                       # fetches build/models/lid.176.ftz (checksum-verified)
#   # optional GPU toxicity model: put detoxify's checkpoint and base-model config under
#   # build/models/detoxify/ (see docs/toxicity.md and configs/dataflow.yaml)
#   docker build -t REGION-docker.pkg.dev/PROJECT/curate/worker:TAG .
#   docker push REGION-docker.pkg.dev/PROJECT/curate/worker:TAG
#   curate run --config configs/dataflow.yaml --runner DataflowRunner \
#     --sdk_container_image REGION-docker.pkg.dev/PROJECT/curate/worker:TAG --sdk_location container ...
#
# The base image's Beam and Python versions must match the launcher's (requirements.lock).
FROM apache/beam_python3.11_sdk:2.77.0

WORKDIR /opt/curate
ENV PYTHONHASHSEED=0 \
    OMP_NUM_THREADS=1 \
    HF_HUB_OFFLINE=1 \
    HF_DATASETS_OFFLINE=1 \
    TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""

# torch from PyPI is the CUDA build (bundled CUDA runtime): GPU workers need it, CPU workers
# run it on the CPU. The NVIDIA driver comes from the accelerator hint's install-nvidia-driver.
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir torch==2.13.0 \
    && pip install --no-cache-dir -r requirements.lock

COPY pipelines pipelines
COPY transforms transforms
COPY schemas schemas
COPY configs configs
# Every model file the configs name, at the same relative paths as in the checkout: the
# launcher records their sha256 in the manifest, the workers load these copies.
COPY build/models build/models
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && python -c "import pipelines.build, transforms.language"

# The Beam SDK harness stays the entry point (inherited from the base image).
