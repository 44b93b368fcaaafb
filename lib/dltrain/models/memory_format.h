// The memory layout of a model's convolution weights, and with them of its activations: a
// convolution whose weight is channels-last (NHWC) produces channels-last output, oneDNN's CPU
// kernels run those without reordering every tensor on the way in and out, and LibTorch's
// channels-last batch-norm and pooling kernels are the fast ones (the quickstart CNN: about 1.4x
// faster than contiguous on this machine's 2 cores). On CUDA, tensor cores want NHWC under mixed
// precision.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/MemoryFormat.h>

#include <string>

namespace torch::nn {
class Module;
}

namespace dltrain::models {

// `setting`: channels_last | contiguous | auto. auto = channels-last for a model with 4-D
// (convolution) weights on the CPU, or on CUDA under mixed precision (tensor cores want NHWC);
// contiguous otherwise.
c10::MemoryFormat choose_memory_format(const std::string& setting, torch::nn::Module& model, const c10::Device& device,
                                       bool amp);

// Re-lays the model's 4-D parameters (in place: optimizers keep their references).
void apply_memory_format(torch::nn::Module& model, c10::MemoryFormat format);

// choose_memory_format, then apply_memory_format; returns the layout chosen.
c10::MemoryFormat use_memory_format(const std::string& setting, torch::nn::Module& model, const c10::Device& device,
                                    bool amp);

}  // namespace dltrain::models
