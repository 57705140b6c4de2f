# The Slurm templates (slurm/*.sbatch), each submitted with sbatch on a
# private Slurm that the suite itself starts on localhost and stops again
# (tests/slurm/slurm_cluster.py): munged, slurmctld and one slurmd per
# emulated node, on ports of their own. Needs root and the Debian packages
# slurm-wlm and munge (scripts/setup.sh); without them the suites fail.
#   slurm_one_node          one-node template: srun --mpi=pmix, mpirun, errors
#   slurm_requeue_template  requeue template: uninterrupted runs, the signal path
#   slurm_multi_node        multi-node template on two emulated nodes
#   slurm_requeue           a real conversion interrupted by scontrol requeue and by
#                           USR1, requeued, resumed: identical to an uninterrupted run
foreach(suite one_node requeue_template multi_node requeue)
  add_test(NAME slurm_${suite}
           COMMAND ${DEBIAN_PYTHON} -W error::ResourceWarning -m unittest -v test_${suite}
           WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/slurm)
  set_tests_properties(slurm_${suite} PROPERTIES ENVIRONMENT "${E2E_ENV}" TIMEOUT 600 LABELS slurm)
endforeach()
