// The one place the binary decides whether image files and augmentation are available.
#include "commands.h"

#ifdef DLTRAIN_WITH_VISION
#include "dltrain/vision/image_file.h"
#endif

namespace dltrain::app {

data::ImageSupport image_support() {
#ifdef DLTRAIN_WITH_VISION
  return vision::image_support();
#else
  return {};
#endif
}

}  // namespace dltrain::app
