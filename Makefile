# Thin wrapper around meson. `make demo` and `make test` work on a fresh
# Debian 12: as root they first install the Debian packages we need.

BUILD ?= build
SHARED ?= ../shared
MESON ?= meson
MESON_SETUP_ARGS ?=

# Build and test dependencies (Debian 12 package names).
DEB_PACKAGES = gcc g++ clang meson ninja-build pkg-config xz-utils python3 \
	libjansson-dev libprotobuf-c-dev protobuf-c-compiler nettle-dev \
	python3-onnx python3-numpy python3-jsonschema python3-torch nodejs ffmpeg valgrind parallel \
	libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
	chromium libxml2-utils
# Only for `make bench` (clips made from Debian-packaged content).
DEB_BENCH_PACKAGES = ffmpeg

.PHONY: all build demo test bench bench-extra deps bench-deps corpus models clean

all: build

deps:
	@tools/ensure_deps.sh $(DEB_PACKAGES)

bench-deps:
	@tools/ensure_deps.sh $(DEB_PACKAGES) $(DEB_BENCH_PACKAGES)

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) $(MESON_SETUP_ARGS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	@mkdir -p $(BUILD)/samples
	@for f in ref dis; do \
	  [ -s $(BUILD)/samples/city_320x180_$$f.y4m ] || \
	    xz -dc samples/city_320x180_$$f.y4m.xz > $(BUILD)/samples/city_320x180_$$f.y4m; done
	@echo "== per-frame features (CSV) =="
	$(BUILD)/tools/tinyvmaf -r $(BUILD)/samples/city_320x180_ref.y4m \
	  -d $(BUILD)/samples/city_320x180_dis.y4m --csv -o - -q
	@echo "== pooled: vmaf_v0.6.1 and vmaf_tiny_v2 (built in) =="
	$(BUILD)/tools/tinyvmaf -r $(BUILD)/samples/city_320x180_ref.y4m \
	  -d $(BUILD)/samples/city_320x180_dis.y4m

test: build
	@tools/run_tests.sh $(BUILD)

# The training corpus (hours of CPU; resumable: rerun to continue). Its state
# lives in ~/.cache/tinyvmaf/corpus; the table and manifest land in corpus/.
corpus: build
	/usr/bin/python3 corpus/build.py --export

# The shipped tiny models, their metrics and docs, from the committed corpus
# (minutes of CPU; see docs/training.md).
models: build
	/usr/bin/python3 models/train_models.py
	/usr/bin/python3 models/model_docs.py
	ninja -C $(BUILD)

# One benchmark run, <= 5 minutes, one summary table; VMAF_BIN (and
# VMAF_BIN_NOASM) name libvmaf's `vmaf` to compare with (bench/bench_engine.py).
bench: bench-deps build
	@bench/run_bench.sh $(BUILD)

# Tiny models vs onnxruntime-node, training speed, batch and libav figures.
bench-extra: bench-deps build
	@bench/run_bench_extra.sh $(BUILD)

clean:
	rm -rf $(BUILD)
