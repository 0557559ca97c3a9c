#!/usr/bin/env bash
# How the shipped CNV-sized Fashion-MNIST examples were made, and how to remake them.
#   examples/make_cnv_examples.sh train    # the trainings (about 55 minutes each on one core;
#                                          # run side by side on a 2-core machine), then export
#   examples/make_cnv_examples.sh export   # export the finished runs and write the variants
# Trainings (checkpoints every epoch, --resume continues an interrupted run):
#   fmnist_cnv          c32,c32,p,c64,c64,p,f256,f10, no pruning
#   fmnist_cnv_pruned   the same, keeping 8 of 32, 8 of 32, 16 of 64 kernels per output channel
#                       of conv2, conv3, conv4 (75% of the binary conv kernels pruned)
#   fmnist_cnv_pruned_g16 the same pruning with masks shared by each run of 16 output channels
#                       (--mask-group 16: a neuron fold's lanes keep the same kernels, so
#                       similarity reuse composes with kernel pruning); 15 epochs, about 37 minutes
# Export: the same folding for all (so that bench/pruning_cnv.sh compares like with like), then
# the exact spatially pruned variants on conv2-4, which share the weights of their network.
set -euo pipefail
cd "$(dirname "$0")/.."
py=/usr/bin/python3
arch=c32,c32,p,c64,c64,p,f256,f10
fold=conv1=32x9,conv2=16x72,conv3=8x72,conv4=8x144,fc1=16x196,fc2=5x16

if [ "${1:-export}" = train ]; then
  $py examples/train/bnn_train.py --arch $arch --epochs 20 --seed 0 --out examples/fmnist_cnv --quiet &
  $py examples/train/bnn_train.py --arch $arch --keep conv2=8,conv3=8,conv4=16 --epochs 20 --seed 0 \
    --out examples/fmnist_cnv_pruned --quiet &
  wait
  # kernel pruning + lossy spatial pruning (tolerance 5/4/5): 3 epochs fine-tuned through the skipping
  $py examples/train/bnn_train.py --arch $arch --keep conv2=8,conv3=8,conv4=16 \
    --init examples/fmnist_cnv_pruned/checkpoint.pt --spatial conv2=5,conv3=4,conv4=5 --lr 3e-4 \
    --epochs 3 --seed 0 --out examples/fmnist_cnv_pruned_lossy --quiet
  $py examples/train/bnn_train.py --arch $arch --keep conv2=8,conv3=8,conv4=16 --mask-group 16 \
    --epochs 15 --seed 0 --out examples/fmnist_cnv_pruned_g16 --quiet
fi
$py examples/train/bnn_export.py --run examples/fmnist_cnv_pruned_g16 --fold $fold
for net in fmnist_cnv fmnist_cnv_pruned; do
  $py examples/train/bnn_export.py --run examples/$net --fold $fold
  $py examples/train/with_spatial.py examples/$net/network.yaml examples/${net}_spatial/network.yaml \
    --layers conv2,conv3,conv4 --tolerance 0
  # the same network without spatial pruning, next to the variant (run_e2e.sh's exactness check)
  $py examples/train/with_spatial.py examples/$net/network.yaml examples/${net}_spatial/unpruned.yaml \
    --layers '' --name ${net}_spatial_unpruned
done
lossy=examples/fmnist_cnv_pruned_lossy
$py examples/train/bnn_export.py --run $lossy --fold $fold
mv $lossy/network.yaml $lossy/unskipped.yaml
# test_scores.npy: PyTorch's scores through the skipping (the exporter's are the unskipped network's)
$py examples/train/spatial_scores.py $lossy/checkpoint.pt $lossy/test_scores.npy --spatial conv2=5,conv3=4,conv4=5
$py examples/train/with_spatial.py $lossy/unskipped.yaml $lossy/network.yaml --layers conv2,conv3,conv4 \
  --tolerance conv2=5,conv3=4,conv4=5 --name fmnist_cnv_pruned_lossy
sed -i 's/^name: .*/name: fmnist_cnv_pruned_lossy_unskipped/' $lossy/unskipped.yaml
