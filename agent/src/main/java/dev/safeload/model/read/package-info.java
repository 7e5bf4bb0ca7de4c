/**
 * Readers: the floor below the per-format checks. Each reader models how one real loader reads
 * bytes (miniz and CPython's zipfile for zip end records, CPython's tarfile for tar headers, the
 * TorchScript lexer for code), and reports what it saw and where the loaders part ways; the
 * checks above compare the views and turn every disagreement or guess into a named finding. The pickle machine's reading modes
 * (C on bytes, C on a file, pickle.py) live in {@code dev.safeload.model.pickle}.
 */
package dev.safeload.model.read;
