// Device choice from the config's `device` key: auto | cpu | cuda | cuda:N.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace dltrain {

// Throws ConfigError when CUDA is asked for but absent or the index is out of range.
c10::Device resolve_device(const std::string& spec);

}  // namespace dltrain
