# Helpers shared by every module, app and test target.

# Warnings for our own code; LibTorch and friends come in as system headers.
function(dltrain_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
endfunction()

# One precompiled LibTorch header for the whole tree: a target that uses it compiles a
# torch-heavy file in ~10 s instead of ~35 s. Targets reuse it, so flags must match.
if(DLTRAIN_USE_PCH)
  add_library(dltrain_pch STATIC ${CMAKE_CURRENT_LIST_DIR}/pch.cpp)
  target_link_libraries(dltrain_pch PUBLIC ${TORCH_LIBRARIES})
  target_precompile_headers(dltrain_pch PUBLIC <torch/torch.h>)
endif()

function(dltrain_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  if(DLTRAIN_USE_PCH)
    target_precompile_headers(${target} REUSE_FROM dltrain_pch)
  endif()
endfunction()

# dltrain_module(NAME [TORCH] SOURCES ... DEPENDS ...): one static library per lib/dltrain/<module>.
function(dltrain_module name)
  cmake_parse_arguments(M "TORCH" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(dltrain_${name} STATIC ${M_SOURCES})
  target_include_directories(dltrain_${name} PUBLIC ${PROJECT_SOURCE_DIR}/lib)
  target_link_libraries(dltrain_${name} PUBLIC ${M_DEPENDS})
  dltrain_warnings(dltrain_${name})
  if(M_TORCH)
    dltrain_use_torch(dltrain_${name})
  endif()
endfunction()
