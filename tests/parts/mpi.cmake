# MPI: `mpirun -np 2 synkti run` = the single-process file (1 and 2 threads per rank), kill -9 and
# --resume, SIGUSR1/SIGTERM stop and resume (tests/test_mpi.sh). Only when MPI was found. Open MPI
# refuses to start as root (CI containers) unless told; the permission is given to this test only.
if(SYNKTI_HAVE_MPI)
  add_test(NAME mpi COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_mpi.sh $<TARGET_FILE:synkti> ${MPIEXEC_EXECUTABLE})
  set_tests_properties(mpi PROPERTIES TIMEOUT 900
    ENVIRONMENT "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1")
endif()
