# MPI runs (src/sim/sk_runner_mpi.c): one experiment over the ranks of `mpirun -np N synkti run`.
# Compiled in every build; the MPI side only when CMakeLists.txt found MPI (SYNKTI_HAVE_MPI, which
# links MPI::MPI_C), else its entry points say "not launched by MPI" and the runner runs alone.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/sk_runner_mpi.c)
