"""Loading libmilad.so and calling it: argument types, status codes, errors.

Internal: the public classes (Descriptor, Potential, decode) call through here. No mathematics lives in
this package; every number comes from the library.
"""
import ctypes
import os
import threading

import numpy as np

from .errors import MiladError

_OK, _BUFFER_TOO_SMALL = 0, 3

_c_double_p = ctypes.POINTER(ctypes.c_double)
_c_int32_p = ctypes.POINTER(ctypes.c_int32)
_c_int64_p = ctypes.POINTER(ctypes.c_int64)
_handle_p = ctypes.POINTER(ctypes.c_void_p)

# name: argument types (all return int status unless listed in _RESTYPES)
_SIGNATURES = {
    "milad_version": [],
    "milad_last_error": [],
    "milad_set_threads": [ctypes.c_int],
    "milad_descriptor_create": [ctypes.c_char_p, _handle_p],
    "milad_descriptor_free": [ctypes.c_void_p],
    "milad_descriptor_length": [ctypes.c_void_p, _c_int64_p],
    "milad_descriptor_settings_json": [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)],
    "milad_fingerprint_molecules": [ctypes.c_void_p, ctypes.c_int64, _c_int64_p, _c_int32_p, _c_double_p, _c_double_p],
    "milad_environments": [ctypes.c_void_p, ctypes.c_int64, _c_int32_p, _c_double_p, _c_double_p, _c_int32_p, _c_double_p, _c_double_p],
    "milad_decode": [ctypes.c_void_p, _c_double_p, ctypes.c_int64, ctypes.c_char_p, _handle_p],
    "milad_decoded_free": [ctypes.c_void_p],
    "milad_decoded_natoms": [ctypes.c_void_p, _c_int64_p],
    "milad_decoded_atoms": [ctypes.c_void_p, _c_int32_p, _c_double_p],
    "milad_decoded_info": [ctypes.c_void_p, _c_int32_p, _c_double_p, _c_double_p, ctypes.c_char_p, ctypes.c_size_t,
                           ctypes.POINTER(ctypes.c_size_t)],
    "milad_potential_load": [ctypes.c_char_p, _handle_p],
    "milad_potential_free": [ctypes.c_void_p],
    "milad_potential_cutoff": [ctypes.c_void_p, _c_double_p],
    "milad_potential_species": [ctypes.c_void_p, _c_int32_p, ctypes.c_int64, _c_int64_p],
    "milad_potential_has_magnetic": [ctypes.c_void_p, _c_int32_p],
    "milad_potential_compute": [ctypes.c_void_p, ctypes.c_int64, _c_int32_p, _c_double_p, _c_double_p, _c_int32_p,
                                _c_double_p, _c_double_p, _c_double_p, _c_double_p],
    "milad_potential_sites": [ctypes.c_void_p, ctypes.c_int64, _c_int32_p, _c_int64_p, _c_int32_p, _c_double_p,
                              _c_double_p, _c_double_p],
}
_RESTYPES = {"milad_version": ctypes.c_char_p, "milad_last_error": ctypes.c_char_p,
             "milad_descriptor_free": None, "milad_decoded_free": None, "milad_potential_free": None}

_lock = threading.Lock()
_lib = None


def library_path():
    """Where libmilad.so is looked for: $MILAD_LIBRARY, else the copy installed beside this package (milad/_lib/)."""
    env = os.environ.get("MILAD_LIBRARY")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib", "libmilad.so")


def lib():
    """The loaded library (loaded once, on first use)."""
    global _lib
    if _lib is None:
        with _lock:
            if _lib is None:
                path = library_path()
                if not os.path.exists(path):
                    raise MiladError(f"libmilad.so not found at {path}: build it with `bash python/install.sh` "
                                     "(or set MILAD_LIBRARY to its path)")
                handle = ctypes.CDLL(path)
                for name, args in _SIGNATURES.items():
                    f = getattr(handle, name)
                    f.argtypes = args
                    f.restype = _RESTYPES.get(name, ctypes.c_int)
                _lib = handle
    return _lib


def check(status):
    """Raises MiladError with the library's message for a status other than 0."""
    if status != _OK:
        message = lib().milad_last_error().decode("utf-8", "replace")
        raise MiladError(message or f"libmilad failed with status {status}", status)


def text(function, *args):
    """A string function of the library (query the size, then fill the buffer)."""
    needed = ctypes.c_size_t(0)
    check(function(*args, None, 0, ctypes.byref(needed)))
    buffer = ctypes.create_string_buffer(needed.value)
    check(function(*args, buffer, needed.value, ctypes.byref(needed)))
    return buffer.value.decode("utf-8")


def doubles(array):
    """A pointer to a C-contiguous float64 array (None for None)."""
    return None if array is None else array.ctypes.data_as(_c_double_p)


def int32s(array):
    return None if array is None else array.ctypes.data_as(_c_int32_p)


def int64s(array):
    return None if array is None else array.ctypes.data_as(_c_int64_p)


class Handle:
    """An owned library handle, freed with its _free function when the Python object goes."""

    def __init__(self, pointer, free):
        self._pointer = pointer
        self._free = free

    @property
    def pointer(self):
        return self._pointer

    def __del__(self):
        pointer, self._pointer = getattr(self, "_pointer", None), None
        if pointer:
            self._free(pointer)


def new_handle(create, free_name, *args):
    """Calls a _create/_load function and wraps its handle."""
    out = ctypes.c_void_p()
    check(create(*args, ctypes.byref(out)))
    return Handle(out, getattr(lib(), free_name))
