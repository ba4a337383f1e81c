/*
 * The KIM model driver for Milad potentials: every number comes from libmilad.so (milad_potential_sites), the
 * same library code as `milad predict`; this file only turns the simulator's neighbour lists into local
 * environments and assembles energy, per-particle energy, forces and virial from the site energies and their
 * gradients.
 *
 * Parameter file: one Milad model file (JSON, written by `milad train`; `milad export-kim` makes the portable
 * model). Species: those of the model. Units: any length and energy unit the KIM API knows (the model works in
 * Angstrom and eV; coordinates, energies and forces are converted). Neighbours: one full list with cutoff =
 * influence distance = the model's cutoff; neighbours of padding (non-contributing) particles are never
 * requested. Every contributing particle is a site; its neighbours (padding particles included) receive the
 * reaction forces, which the simulator adds back to their owners.
 */
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#include "KIM_ModelDriverHeaders.h"
#include "milad.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPECIES 128

static char const * const ELEMENTS[119] = {
    "",   "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",  "S",
    "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
    "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
    "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho",
    "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po",
    "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md",
    "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};

typedef struct
{
  milad_potential * potential;
  double influence_distance; /* in the simulator's length unit */
  double cutoff_squared; /* Angstrom^2 */
  int will_not_request_padding_neighbours;
  double length_to_angstrom; /* simulator length -> Angstrom */
  double ev_to_energy; /* eV -> simulator energy */
  int species_count;
  int32_t atomic_numbers[MAX_SPECIES]; /* KIM species code -> atomic number */

  /* Scratch, grown as needed (a model object computes one configuration at a time). */
  int64_t site_capacity, neighbour_capacity;
  int32_t * centre_numbers;
  int64_t * neighbour_counts;
  int * centres; /* particle of each site */
  int32_t * neighbour_numbers;
  int * neighbours; /* particle of each neighbour */
  double * displacements;
  double * site_energies;
  double * gradients;
} Buffer;

/* One error line to the KIM log and to stderr (simulators show the log only on request; a failure should be seen). */
static void report(void (*log)(void const *, KIM_LogVerbosity, char const *, int, char const *),
                   void const * object, int line, char const * format, ...)
{
  char message[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  fprintf(stderr, "Milad KIM driver: %s\n", message);
  log(object, KIM_LOG_VERBOSITY_error, message, line, __FILE__);
}

static void create_log(void const * o, KIM_LogVerbosity v, char const * m, int l, char const * f)
{
  KIM_ModelDriverCreate_LogEntry((KIM_ModelDriverCreate *) o, v, m, l, f);
}

static void compute_log(void const * o, KIM_LogVerbosity v, char const * m, int l, char const * f)
{
  KIM_ModelCompute_LogEntry((KIM_ModelCompute const *) o, v, m, l, f);
}

#define CREATE_ERROR(...) report(create_log, modelDriverCreate, __LINE__, __VA_ARGS__)
#define COMPUTE_ERROR(...) report(compute_log, modelCompute, __LINE__, __VA_ARGS__)

static void free_scratch(Buffer * b)
{
  free(b->centre_numbers);
  free(b->neighbour_counts);
  free(b->centres);
  free(b->neighbour_numbers);
  free(b->neighbours);
  free(b->displacements);
  free(b->site_energies);
  free(b->gradients);
}

static int grow_sites(Buffer * b, int64_t n)
{
  if (n <= b->site_capacity) return 0;
  n = n + n / 2 + 16;
  void * p1 = realloc(b->centre_numbers, n * sizeof(int32_t));
  if (p1) b->centre_numbers = p1;
  void * p2 = realloc(b->neighbour_counts, n * sizeof(int64_t));
  if (p2) b->neighbour_counts = p2;
  void * p3 = realloc(b->centres, n * sizeof(int));
  if (p3) b->centres = p3;
  void * p4 = realloc(b->site_energies, n * sizeof(double));
  if (p4) b->site_energies = p4;
  if (!p1 || !p2 || !p3 || !p4) return 1;
  b->site_capacity = n;
  return 0;
}

static int grow_neighbours(Buffer * b, int64_t n)
{
  if (n <= b->neighbour_capacity) return 0;
  n = n + n / 2 + 256;
  void * p1 = realloc(b->neighbour_numbers, n * sizeof(int32_t));
  if (p1) b->neighbour_numbers = p1;
  void * p2 = realloc(b->neighbours, n * sizeof(int));
  if (p2) b->neighbours = p2;
  void * p3 = realloc(b->displacements, 3 * n * sizeof(double));
  if (p3) b->displacements = p3;
  void * p4 = realloc(b->gradients, 3 * n * sizeof(double));
  if (p4) b->gradients = p4;
  if (!p1 || !p2 || !p3 || !p4) return 1;
  b->neighbour_capacity = n;
  return 0;
}

static int compute(KIM_ModelCompute const * const modelCompute,
                   KIM_ModelComputeArguments const * const arguments)
{
  Buffer * b;
  KIM_ModelCompute_GetModelBufferPointer(modelCompute, (void **) &b);

  int * n_particles = NULL;
  int * species = NULL;
  int * contributing = NULL;
  double * coordinates = NULL;
  double * energy = NULL;
  double * forces = NULL;
  double * particle_energy = NULL;
  double * virial = NULL;
  if (KIM_ModelComputeArguments_GetArgumentPointerInteger(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_numberOfParticles, &n_particles)
      || KIM_ModelComputeArguments_GetArgumentPointerInteger(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_particleSpeciesCodes, &species)
      || KIM_ModelComputeArguments_GetArgumentPointerInteger(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_particleContributing, &contributing)
      || KIM_ModelComputeArguments_GetArgumentPointerDouble(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_coordinates, &coordinates)
      || KIM_ModelComputeArguments_GetArgumentPointerDouble(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_partialEnergy, &energy)
      || KIM_ModelComputeArguments_GetArgumentPointerDouble(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_partialForces, &forces)
      || KIM_ModelComputeArguments_GetArgumentPointerDouble(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_partialParticleEnergy, &particle_energy)
      || KIM_ModelComputeArguments_GetArgumentPointerDouble(
          arguments, KIM_COMPUTE_ARGUMENT_NAME_partialVirial, &virial))
  {
    COMPUTE_ERROR("could not get the compute arguments");
    return 1;
  }
  int const n = *n_particles;
  int const need_gradients = forces != NULL || virial != NULL;

  /* Sites: every contributing particle with its neighbours inside the cutoff, displacements in Angstrom. */
  int64_t sites = 0, total = 0;
  for (int i = 0; i < n; ++i)
  {
    if (species[i] < 0 || species[i] >= b->species_count)
    {
      COMPUTE_ERROR("particle %d has species code %d, which this model does not have", i, species[i]);
      return 1;
    }
    if (!contributing[i]) continue;
    int count;
    int const * list;
    if (KIM_ModelComputeArguments_GetNeighborList(arguments, 0, i, &count, &list))
    {
      COMPUTE_ERROR("could not get the neighbour list of particle %d", i);
      return 1;
    }
    if (grow_sites(b, sites + 1) || grow_neighbours(b, total + count))
    {
      COMPUTE_ERROR("out of memory for %lld neighbours", (long long) (total + count));
      return 1;
    }
    double const * xi = coordinates + 3 * i;
    int64_t kept = 0;
    for (int k = 0; k < count; ++k)
    {
      int const j = list[k];
      double const * xj = coordinates + 3 * j;
      double const dx = (xj[0] - xi[0]) * b->length_to_angstrom;
      double const dy = (xj[1] - xi[1]) * b->length_to_angstrom;
      double const dz = (xj[2] - xi[2]) * b->length_to_angstrom;
      if (dx * dx + dy * dy + dz * dz >= b->cutoff_squared) continue;
      int64_t const at = total + kept++;
      b->neighbours[at] = j;
      b->neighbour_numbers[at] = b->atomic_numbers[species[j]];
      b->displacements[3 * at] = dx;
      b->displacements[3 * at + 1] = dy;
      b->displacements[3 * at + 2] = dz;
    }
    b->centres[sites] = i;
    b->centre_numbers[sites] = b->atomic_numbers[species[i]];
    b->neighbour_counts[sites] = kept;
    total += kept;
    ++sites;
  }

  if (milad_potential_sites(b->potential, sites, b->centre_numbers, b->neighbour_counts, b->neighbour_numbers,
                            b->displacements, b->site_energies, need_gradients ? b->gradients : NULL)
      != MILAD_OK)
  {
    COMPUTE_ERROR("%s", milad_last_error());
    return 1;
  }

  double const e_unit = b->ev_to_energy;
  double const f_unit = b->ev_to_energy * b->length_to_angstrom; /* eV/A -> simulator force */
  if (energy) *energy = 0.0;
  if (particle_energy)
    for (int i = 0; i < n; ++i) particle_energy[i] = 0.0;
  if (forces)
    for (int i = 0; i < 3 * n; ++i) forces[i] = 0.0;
  double w[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0}; /* eV: sum d (x) g */
  double e = 0.0;
  int64_t at = 0;
  for (int64_t s = 0; s < sites; ++s)
  {
    int const i = b->centres[s];
    e += b->site_energies[s];
    if (particle_energy) particle_energy[i] = b->site_energies[s] * e_unit;
    if (need_gradients)
    {
      for (int64_t k = 0; k < b->neighbour_counts[s]; ++k, ++at)
      {
        double const * g = b->gradients + 3 * at;
        double const * d = b->displacements + 3 * at;
        if (forces)
        {
          int const j = b->neighbours[at];
          for (int a = 0; a < 3; ++a)
          {
            forces[3 * i + a] += g[a] * f_unit;
            forces[3 * j + a] -= g[a] * f_unit;
          }
        }
        for (int a = 0; a < 3; ++a)
          for (int c = 0; c < 3; ++c) w[3 * a + c] += d[a] * g[c];
      }
    }
  }
  if (energy) *energy = e * e_unit;
  if (virial)
  {
    /* KIM order xx yy zz yz xz xy; the virial d (x) dE/dd is symmetric for a rotation-invariant energy. */
    virial[0] = w[0] * e_unit;
    virial[1] = w[4] * e_unit;
    virial[2] = w[8] * e_unit;
    virial[3] = 0.5 * (w[5] + w[7]) * e_unit;
    virial[4] = 0.5 * (w[2] + w[6]) * e_unit;
    virial[5] = 0.5 * (w[1] + w[3]) * e_unit;
  }
  return 0;
}

static int compute_arguments_create(KIM_ModelCompute const * const modelCompute,
                                    KIM_ModelComputeArgumentsCreate * const create)
{
  (void) modelCompute;
  return KIM_ModelComputeArgumentsCreate_SetArgumentSupportStatus(
             create, KIM_COMPUTE_ARGUMENT_NAME_partialEnergy, KIM_SUPPORT_STATUS_optional)
         || KIM_ModelComputeArgumentsCreate_SetArgumentSupportStatus(
             create, KIM_COMPUTE_ARGUMENT_NAME_partialForces, KIM_SUPPORT_STATUS_optional)
         || KIM_ModelComputeArgumentsCreate_SetArgumentSupportStatus(
             create, KIM_COMPUTE_ARGUMENT_NAME_partialParticleEnergy, KIM_SUPPORT_STATUS_optional)
         || KIM_ModelComputeArgumentsCreate_SetArgumentSupportStatus(
             create, KIM_COMPUTE_ARGUMENT_NAME_partialVirial, KIM_SUPPORT_STATUS_optional);
}

static int compute_arguments_destroy(KIM_ModelCompute const * const modelCompute,
                                     KIM_ModelComputeArgumentsDestroy * const destroy)
{
  (void) modelCompute;
  (void) destroy;
  return 0;
}

static int destroy(KIM_ModelDestroy * const modelDestroy)
{
  Buffer * b;
  KIM_ModelDestroy_GetModelBufferPointer(modelDestroy, (void **) &b);
  if (b)
  {
    milad_potential_free(b->potential);
    free_scratch(b);
    free(b);
  }
  return 0;
}

/*
 * libmilad.so carries a .NET runtime (NativeAOT), which cannot be unloaded: its signal handlers and threads stay.
 * The KIM API unloads a driver when its last model object is destroyed (LAMMPS creates and destroys one in
 * `kim init` and creates another in `kim interactions`), and libmilad.so would go with it; marking it NODELETE
 * keeps the one runtime loaded for the life of the process, and a reloaded driver finds it there.
 */
static void keep_libmilad_loaded(void)
{
  Dl_info info;
  if (dladdr((void *) &milad_version, &info) && info.dli_fname)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

int milad_kim_driver_create(KIM_ModelDriverCreate * const modelDriverCreate,
                            KIM_LengthUnit const requestedLengthUnit,
                            KIM_EnergyUnit const requestedEnergyUnit,
                            KIM_ChargeUnit const requestedChargeUnit,
                            KIM_TemperatureUnit const requestedTemperatureUnit,
                            KIM_TimeUnit const requestedTimeUnit)
{
  (void) requestedChargeUnit;
  (void) requestedTemperatureUnit;
  (void) requestedTimeUnit;
  keep_libmilad_loaded();

  /* Units: the simulator's own length and energy units, converted from the model's Angstrom and eV. */
  if (KIM_LengthUnit_Equal(requestedLengthUnit, KIM_LENGTH_UNIT_unused)
      || KIM_EnergyUnit_Equal(requestedEnergyUnit, KIM_ENERGY_UNIT_unused))
  {
    CREATE_ERROR("the simulator asked for length unit '%s' and energy unit '%s'; a Milad potential needs both "
                 "(it works in Angstrom and eV and converts to any unit the KIM API knows)",
                 KIM_LengthUnit_ToString(requestedLengthUnit), KIM_EnergyUnit_ToString(requestedEnergyUnit));
    return 1;
  }
  double length_to_angstrom, ev_to_energy;
  if (KIM_ModelDriverCreate_ConvertUnit(requestedLengthUnit, KIM_ENERGY_UNIT_eV, KIM_CHARGE_UNIT_unused,
                                        KIM_TEMPERATURE_UNIT_unused, KIM_TIME_UNIT_unused, KIM_LENGTH_UNIT_A,
                                        KIM_ENERGY_UNIT_eV, KIM_CHARGE_UNIT_unused, KIM_TEMPERATURE_UNIT_unused,
                                        KIM_TIME_UNIT_unused, 1.0, 0.0, 0.0, 0.0, 0.0, &length_to_angstrom)
      || KIM_ModelDriverCreate_ConvertUnit(KIM_LENGTH_UNIT_A, KIM_ENERGY_UNIT_eV, KIM_CHARGE_UNIT_unused,
                                           KIM_TEMPERATURE_UNIT_unused, KIM_TIME_UNIT_unused, KIM_LENGTH_UNIT_A,
                                           requestedEnergyUnit, KIM_CHARGE_UNIT_unused,
                                           KIM_TEMPERATURE_UNIT_unused, KIM_TIME_UNIT_unused, 0.0, 1.0, 0.0, 0.0,
                                           0.0, &ev_to_energy))
  {
    CREATE_ERROR("cannot convert Angstrom and eV to the simulator's units '%s' and '%s'",
                 KIM_LengthUnit_ToString(requestedLengthUnit), KIM_EnergyUnit_ToString(requestedEnergyUnit));
    return 1;
  }
  if (KIM_ModelDriverCreate_SetUnits(modelDriverCreate, requestedLengthUnit, requestedEnergyUnit,
                                     KIM_CHARGE_UNIT_unused, KIM_TEMPERATURE_UNIT_unused, KIM_TIME_UNIT_unused)
      || KIM_ModelDriverCreate_SetModelNumbering(modelDriverCreate, KIM_NUMBERING_zeroBased))
  {
    CREATE_ERROR("could not set the units or the numbering");
    return 1;
  }

  /* The parameter file: the Milad model. */
  int files = 0;
  KIM_ModelDriverCreate_GetNumberOfParameterFiles(modelDriverCreate, &files);
  if (files != 1)
  {
    CREATE_ERROR("expected one parameter file (the Milad model JSON), got %d", files);
    return 1;
  }
  char const * directory;
  char const * basename;
  KIM_ModelDriverCreate_GetParameterFileDirectoryName(modelDriverCreate, &directory);
  if (KIM_ModelDriverCreate_GetParameterFileBasename(modelDriverCreate, 0, &basename))
  {
    CREATE_ERROR("could not get the parameter file name");
    return 1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", directory, basename);

  Buffer * b = calloc(1, sizeof(Buffer));
  if (!b)
  {
    CREATE_ERROR("out of memory");
    return 1;
  }
  if (milad_potential_load(path, &b->potential) != MILAD_OK)
  {
    CREATE_ERROR("cannot load the Milad model (parameter file %s): %s", basename, milad_last_error());
    free(b);
    return 1;
  }
  int32_t magnetic = 0;
  double cutoff = 0.0;
  int64_t count = 0;
  milad_potential_has_magnetic(b->potential, &magnetic);
  if (magnetic || milad_potential_cutoff(b->potential, &cutoff) != MILAD_OK
      || milad_potential_species(b->potential, b->atomic_numbers, MAX_SPECIES, &count) != MILAD_OK)
  {
    CREATE_ERROR(magnetic ? "the Milad model has a magnetic term, which needs magnetic moments that KIM does not carry"
                          : "cannot read the Milad model's cutoff or species: %s",
                 milad_last_error());
    milad_potential_free(b->potential);
    free(b);
    return 1;
  }
  b->species_count = (int) count;
  b->length_to_angstrom = length_to_angstrom;
  b->ev_to_energy = ev_to_energy;
  b->cutoff_squared = cutoff * cutoff;
  b->influence_distance = cutoff / length_to_angstrom;
  b->will_not_request_padding_neighbours = 1;

  for (int s = 0; s < b->species_count; ++s)
  {
    int32_t const z = b->atomic_numbers[s];
    if (z < 1 || z > 118
        || KIM_ModelDriverCreate_SetSpeciesCode(modelDriverCreate, KIM_SpeciesName_FromString(ELEMENTS[z]), s))
    {
      CREATE_ERROR("cannot register species %d of the Milad model with the KIM API", (int) z);
      milad_potential_free(b->potential);
      free(b);
      return 1;
    }
  }

  KIM_ModelDriverCreate_SetModelBufferPointer(modelDriverCreate, b);
  KIM_ModelDriverCreate_SetInfluenceDistancePointer(modelDriverCreate, &b->influence_distance);
  KIM_ModelDriverCreate_SetNeighborListPointers(modelDriverCreate, 1, &b->influence_distance,
                                                &b->will_not_request_padding_neighbours);
  if (KIM_ModelDriverCreate_SetRoutinePointer(modelDriverCreate, KIM_MODEL_ROUTINE_NAME_ComputeArgumentsCreate,
                                              KIM_LANGUAGE_NAME_c, 1, (KIM_Function *) compute_arguments_create)
      || KIM_ModelDriverCreate_SetRoutinePointer(modelDriverCreate, KIM_MODEL_ROUTINE_NAME_Compute,
                                                 KIM_LANGUAGE_NAME_c, 1, (KIM_Function *) compute)
      || KIM_ModelDriverCreate_SetRoutinePointer(modelDriverCreate, KIM_MODEL_ROUTINE_NAME_ComputeArgumentsDestroy,
                                                 KIM_LANGUAGE_NAME_c, 1, (KIM_Function *) compute_arguments_destroy)
      || KIM_ModelDriverCreate_SetRoutinePointer(modelDriverCreate, KIM_MODEL_ROUTINE_NAME_Destroy,
                                                 KIM_LANGUAGE_NAME_c, 1, (KIM_Function *) destroy))
  {
    CREATE_ERROR("could not register the driver's routines");
    milad_potential_free(b->potential);
    free(b);
    return 1;
  }
  return 0;
}
