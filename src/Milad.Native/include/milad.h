/*
 * milad.h -- the C interface of libmilad.so: Milad's fingerprints, decoder and potentials.
 *
 * libmilad.so is the Milad C# library compiled ahead of time (NativeAOT); every number it returns is computed
 * by the same library code as the `milad` command, so the same input gives the same bits through both.
 * Build: dotnet publish src/Milad.Native -c Release -r linux-x64 -o OUT   (OUT/libmilad.so; see docs/python.md)
 *
 * Conventions
 *  - Units: Angstrom, eV, eV/Angstrom. Arrays are C order (row-major), double precision unless noted.
 *  - Status: every function but milad_version, milad_last_error and the _free functions returns an int:
 *      MILAD_OK (0), MILAD_INVALID_INPUT (1: a user mistake -- unknown species, NaN, wrong length, singular cell,
 *      unreadable model, NULL where an array is needed), MILAD_INTERNAL_ERROR (2: a bug; please report it),
 *      MILAD_BUFFER_TOO_SMALL (3). On failure milad_last_error() gives the message (one line, UTF-8) and the
 *      output buffers may hold partial results. No exception crosses this interface and nothing aborts the host.
 *  - Buffers are owned by the caller; sizes are queried first (milad_descriptor_length, milad_decoded_natoms,
 *    a string function called with a NULL buffer writes the bytes it needs, NUL included, to *needed).
 *  - Handles are opaque, created by a _create/_load/_decode function and released by the matching _free
 *    (NULL is fine there; a handle must not be used after it is freed).
 *  - Threads: distinct handles may be used on distinct threads at the same time; one descriptor or potential
 *    handle may also be shared by threads for computing (not while it is being freed). milad_last_error is
 *    per thread. Inside one call the library uses milad_set_threads threads (default 1).
 *  - Atomic numbers are int32 (1..118); counts are int64.
 */
#ifndef MILAD_H
#define MILAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MILAD_OK 0
#define MILAD_INVALID_INPUT 1
#define MILAD_INTERNAL_ERROR 2
#define MILAD_BUFFER_TOO_SMALL 3

typedef struct milad_descriptor milad_descriptor;
typedef struct milad_decoded milad_decoded;
typedef struct milad_potential milad_potential;

/* ---------------------------------------------------------------- library */

/* The library's version, e.g. "0.1.0+<commit>". Static storage: do not free. */
const char* milad_version(void);

/* The message of the last failure on the calling thread ("" if none). Valid until the next failure on this thread. */
const char* milad_last_error(void);

/* Threads one call may use inside the library (environments of a structure, molecules of a batch): threads >= 1,
 * or 0 for all cores. Default 1, so that MPI ranks or a host's own threads do not oversubscribe the machine.
 * Results do not depend on it (bit for bit). */
int milad_set_threads(int threads);

/* ---------------------------------------------------------------- descriptors */

/* A descriptor from settings as JSON (UTF-8), either the command line's options, every key optional:
 *   {"preset": "default" | "paper" | "compact", "mode": "molecule" | "environments", "nmax": 9, "cutoff": 5.0,
 *    "weights": {"H": 1, "C": 6}, "second_weights": {...}, "include_centre": false}
 * which give the settings `milad fingerprint --preset P --nmax N --cutoff R --weights H=1,C=6 [--mode M]` uses
 * (the preset's cutoff depends on the mode: 7.5 A molecule radius, 5 A environment cutoff), or a full settings
 * object as the library writes it (the "descriptor" of a fingerprint file or a model file, or
 * milad_descriptor_settings_json's output: it has "n_max"; its radius is "cutoff", else "molecule_radius" or
 * "environment_cutoff" by "mode"; a "length" that does not match is refused).
 * On success *out is a new handle (free it with milad_descriptor_free); on failure *out is NULL. */
int milad_descriptor_create(const char* settings_json, milad_descriptor** out);
void milad_descriptor_free(milad_descriptor* descriptor);

/* Numbers in one fingerprint. */
int milad_descriptor_length(const milad_descriptor* descriptor, int64_t* length);

/* The full settings as JSON {"n_max", "invariants", "cutoff", "weights", ["second_weights",] "smooth_cutoff",
 * "include_centre", "length"} into buffer (size bytes, NUL-terminated); *needed = bytes needed with the NUL.
 * buffer NULL: only *needed. Too small: MILAD_BUFFER_TOO_SMALL. */
int milad_descriptor_settings_json(const milad_descriptor* descriptor, char* buffer, size_t size, size_t* needed);

/* Molecule-mode fingerprints of n_molecules molecules: molecule k has natoms[k] atoms, its atomic numbers and
 * positions (natoms[k] x 3) following those of molecule k-1 in atomic_numbers and positions (sum natoms entries).
 * out: n_molecules x length. Each molecule is taken about its centroid and must lie within the radius. */
int milad_fingerprint_molecules(const milad_descriptor* descriptor, int64_t n_molecules, const int64_t* natoms,
                                const int32_t* atomic_numbers, const double* positions, double* out);

/* Environment fingerprints of every atom of one structure (natoms atoms, positions natoms x 3), in atom order.
 * cell: 3 x 3, rows are the lattice vectors (Angstrom), or NULL for no cell; pbc: 3 flags (nonzero = periodic),
 * or NULL = periodic in every direction that has a cell. fingerprints: natoms x length.
 * jacobian: NULL, or natoms x length x (3 natoms): jacobian[i][q][3 j + a] = d fingerprint_i[q] / d r_j[a]
 * (periodic images add into their atom's columns), as `milad fingerprint --derivatives` writes it. */
int milad_environments(const milad_descriptor* descriptor, int64_t natoms, const int32_t* atomic_numbers,
                       const double* positions, const double* cell, const int32_t* pbc,
                       double* fingerprints, double* jacobian);

/* ---------------------------------------------------------------- decoding */

/* Decodes a molecule-mode fingerprint (length numbers, must equal the descriptor's length) into atoms, as
 * `milad decode` does. options_json: NULL or {"work": work units (default 80000: they decide the result, so the
 * same fingerprint gives the same atoms on any machine load), "budget": wall-time safety limit in seconds (default
 * 600), "seed": integer (default 1), "tolerance": relative residual accepted as decoded, which ends the search
 * (default 1e-6; at most 0.1)}.
 * A fingerprint that cannot be decoded is not an error: the result says so (milad_decoded_info). */
int milad_decode(const milad_descriptor* descriptor, const double* fingerprint, int64_t length,
                 const char* options_json, milad_decoded** out);
void milad_decoded_free(milad_decoded* decoded);

/* Atoms of the result: the decoded molecule, or when not decoded the best candidate found (possibly 0 atoms). */
int milad_decoded_natoms(const milad_decoded* decoded, int64_t* natoms);

/* atomic_numbers (natoms) and positions (natoms x 3, Angstrom, centred on the centroid, in some orientation);
 * either may be NULL. */
int milad_decoded_atoms(const milad_decoded* decoded, int32_t* atomic_numbers, double* positions);

/* *decoded = 1 when the atoms re-encode to the fingerprint, else 0; *residual = relative fingerprint residual
 * of the atoms (infinity without atoms); *seconds = time spent; reason: the route when decoded ("pencil (degree 4)",
 * "density peaks") or why not, as a string (buffer rules of milad_descriptor_settings_json). Any pointer may be NULL. */
int milad_decoded_info(const milad_decoded* decoded, int32_t* decoded_ok, double* residual, double* seconds,
                       char* reason, size_t size, size_t* needed);

/* ---------------------------------------------------------------- potentials */

/* Loads a model file written by `milad train`. Not a model, another file version, a malformed entry:
 * MILAD_INVALID_INPUT with the reason. */
int milad_potential_load(const char* path, milad_potential** out);
void milad_potential_free(milad_potential* potential);

/* The influence distance (Angstrom): the largest of the descriptor cutoff and the pair term's cutoff. An atom
 * farther than this from a centre does not change the centre's site energy. */
int milad_potential_cutoff(const milad_potential* potential, double* cutoff);

/* The atomic numbers the model knows, ascending. *count = how many (always written when count is not NULL);
 * numbers NULL: only the count; capacity < count: MILAD_BUFFER_TOO_SMALL. */
int milad_potential_species(const milad_potential* potential, int32_t* atomic_numbers, int64_t capacity, int64_t* count);

/* *magnetic = 1 when the model has a magnetic term (it needs magnetic moments, which this interface does not
 * take: milad_potential_compute and milad_potential_sites refuse such a model). */
int milad_potential_has_magnetic(const milad_potential* potential, int32_t* magnetic);

/* Energy and derivatives of one structure, exactly as `milad predict`:
 *   energy   total energy (eV)
 *   forces   natoms x 3, -dE/dr (eV/A), or NULL
 *   virial   9 numbers, row-major, or NULL: W = dE/d(strain) = sum over neighbour pairs of d (x) dE/dd (eV),
 *            which for a structure without periodic images is -sum_i r_i (x) F_i. The ASE stress
 *            (eV/A^3) of a fully periodic cell is W / volume; the pressure is -trace(W) / (3 volume).
 *   energies natoms site energies (eV) that sum to the energy up to rounding, or NULL.
 * cell and pbc as for milad_environments. Species the model does not know: MILAD_INVALID_INPUT. */
int milad_potential_compute(const milad_potential* potential, int64_t natoms, const int32_t* atomic_numbers,
                            const double* positions, const double* cell, const int32_t* pbc,
                            double* energy, double* forces, double* virial, double* energies);

/* Site energies and their gradients for local environments an MD engine built from its own neighbour list.
 * Site s: centre species centre_numbers[s], neighbour_counts[s] neighbours, which follow those of site s-1 in
 * neighbour_numbers and displacements (3 each: r_neighbour - r_centre, Angstrom, images as the engine sees them).
 *   site_energies  n_sites: the centre's atomic energy (fingerprint model + its share of the pair term);
 *                  a structure's total energy is the sum of its atoms' site energies (milad_potential_compute's
 *                  energy up to rounding, and bit for bit its per-atom energies when the neighbours come in the
 *                  library's order).
 *   gradients      sum(neighbour_counts) x 3, dE_site / d(displacement) (eV/A), or NULL.
 * Neighbours at or beyond milad_potential_cutoff are allowed: ignored, zero gradient. The engine assembles
 *   F_neighbour -= g,  F_centre += g,  W += d (x) g   (W as milad_potential_compute's virial).
 * Every species (centres and neighbours) must be one the model knows. */
int milad_potential_sites(const milad_potential* potential, int64_t n_sites, const int32_t* centre_numbers,
                          const int64_t* neighbour_counts, const int32_t* neighbour_numbers,
                          const double* displacements, double* site_energies, double* gradients);

#ifdef __cplusplus
}
#endif

#endif /* MILAD_H */
