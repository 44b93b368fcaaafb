// Lists what the binary was built with, so bug reports carry it.
#include "version_text.h"

#include "dltrain/core/version.h"

#ifdef DLTRAIN_WITH_VISION
#include "dltrain/vision/opencv_info.h"
#endif

namespace dltrain::app {

std::string version_text() {
  std::string text = "dltrain " + dltrain_version() + "\nLibTorch " + libtorch_version() +
                     (built_with_cuda() ? " (CUDA)" : " (CPU)");
#ifdef DLTRAIN_WITH_VISION
  text += "\nOpenCV " + vision::opencv_version();
#else
  text += "\nOpenCV: not built (DLTRAIN_WITH_VISION=OFF)";
#endif
  return text;
}

}  // namespace dltrain::app
