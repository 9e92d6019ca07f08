#!/bin/bash
# slurm_array.sh - run an experiment as a Slurm job array: task K of N runs the runs i with
# i mod N = K into its own shard file; a dependent job merges the shards into one results file
# whose /summary is bitwise identical to a single-node run.
#   sbatch --array=0-15 experiments/slurm_array.sh experiments/quickstart.yaml
#   sbatch --dependency=afterok:<jobid> --wrap \
#     'synkti merge results/quickstart.shard-*-of-16.h5 -o results/quickstart.h5'
#SBATCH --job-name=synkti
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
set -euo pipefail
EXP=${1:?usage: sbatch --array=0-N experiments/slurm_array.sh EXPERIMENT.yaml}
N=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array}
K=${SLURM_ARRAY_TASK_ID:?run under sbatch --array}
# --resume makes a requeued task continue where it stopped (SIGTERM before the time limit exits 75)
exec synkti run "$EXP" --shard "$K/$N" --threads "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet
