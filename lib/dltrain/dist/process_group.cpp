#include "dltrain/dist/process_group.h"

#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <fmt/format.h>

#include <cstdlib>

#include "dltrain/core/error.h"
#include "dltrain/core/torch_compat_c10d.h"

namespace dltrain::dist {
namespace {

// c10d messages carry a source location and sometimes a backtrace: keep the first line.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string message_of(const std::exception& error) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&error)) return first_line(c10_error->what_without_backtrace());
  return first_line(error.what());
}

bool is_loopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0; }

// Gloo binds to an address of this machine: loopback when the whole job is local, else the
// interface GLOO_SOCKET_IFNAME names, else the address this machine's hostname resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const World& world) {
  if (is_loopback(world.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

compat::Comm make_backend(const World& world, const std::string& backend, const c10::intrusive_ptr<c10d::Store>& store,
                          std::chrono::milliseconds timeout) {
  if (backend == "nccl") {
#ifdef USE_C10D_NCCL
    compat::enable_nccl_error_handling();
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, world.rank, world.size, options);
#else
    throw ConfigError("distributed.backend: nccl needs a CUDA build of LibTorch with NCCL; this one has only gloo");
#endif
  }
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  options->devices.push_back(gloo_device(world));
  options->threads = 2;
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, world.rank, world.size, options);
}

[[noreturn]] void rendezvous_failed(const World& world, const std::string& backend, std::chrono::milliseconds timeout,
                                    const std::string& cause) {
  throw DistributedError("rank " + std::to_string(world.rank) + " of " + std::to_string(world.size) +
                         ": could not rendezvous at " + world.master_addr + ":" + std::to_string(world.master_port) +
                         " (" + backend + ", waited " + fmt::format("{:g}", timeout.count() / 1000.0) + " s): " + cause + "; are all WORLD_SIZE ranks started, with the same MASTER_ADDR and MASTER_PORT?");
}

}  // namespace

std::string backend_for(const std::string& configured, bool cuda_device) {
  if (configured != "auto") return configured;
#ifdef USE_C10D_NCCL
  if (cuda_device) return "nccl";
#else
  (void)cuda_device;
#endif
  return "gloo";
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  compat::Comm comm;
};

ProcessGroup::ProcessGroup(const World& world, const GroupOptions& options)
    : world_(world), backend_(options.backend), device_(options.device), impl_(std::make_unique<Impl>()) {
  const std::string where = world.master_addr + ":" + std::to_string(world.master_port);
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<std::uint16_t>(world.master_port);
    store_options.isServer = world.rank == 0;
    store_options.numWorkers = static_cast<std::size_t>(world.size);
    store_options.waitWorkers = true;
    store_options.timeout = options.timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(world.master_addr, store_options);
    impl_->store = c10::make_intrusive<c10d::PrefixStore>("dltrain", tcp);
  } catch (const std::exception& error) {
    const std::string message = message_of(error);
    if (world.rank == 0 && message.find("in use") != std::string::npos) {
      throw DistributedError("rank 0 of " + std::to_string(world.size) + ": cannot serve the rendezvous at " + where +
                             ": the port is already in use; set MASTER_PORT to a free port");
    }
    rendezvous_failed(world, backend_, options.timeout, message);
  }
  try {
    impl_->comm = make_backend(world, backend_, impl_->store, options.timeout);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {
    rendezvous_failed(world, backend_, options.timeout, message_of(error));
  }
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::guarded(const char* what, const std::function<void()>& collective) {
  try {
    collective();
  } catch (const std::exception& error) {
    throw DistributedError("rank " + std::to_string(world_.rank) + " of " + std::to_string(world_.size) + ": " +
                           what + " failed (a peer died, or did not answer within distributed.timeout_s): " +
                           message_of(error));
  }
}

void ProcessGroup::allreduce_sum(std::vector<torch::Tensor>& tensors) {
  guarded("all-reduce", [&] {
    std::vector<c10::intrusive_ptr<c10d::Work>> pending;
    std::vector<std::vector<torch::Tensor>> slots;
    slots.reserve(tensors.size());
    for (auto& tensor : tensors) {
      slots.push_back({tensor});
      pending.push_back(impl_->comm->allreduce(slots.back()));
    }
    for (auto& work : pending) work->wait();
  });
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors, int root) {
  guarded("broadcast", [&] {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    std::vector<c10::intrusive_ptr<c10d::Work>> pending;
    std::vector<std::vector<torch::Tensor>> slots;
    slots.reserve(tensors.size());
    for (auto& tensor : tensors) {
      slots.push_back({tensor});
      pending.push_back(impl_->comm->broadcast(slots.back(), options));
    }
    for (auto& work : pending) work->wait();
  });
}

void ProcessGroup::barrier() {
  guarded("barrier", [&] { impl_->comm->barrier()->wait(); });
}

bool ProcessGroup::any(bool local) {
  std::vector<torch::Tensor> flag{torch::full({1}, local ? 1.0f : 0.0f, torch::TensorOptions().device(device_))};
  allreduce_sum(flag);
  return flag[0].item<float>() > 0.0f;
}

std::string ProcessGroup::share_text(const std::string& key, const std::string& value) {
  std::string shared;
  guarded("sharing a value through the store", [&] {
    if (is_main()) impl_->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
    const auto bytes = impl_->store->get(key);
    shared.assign(bytes.begin(), bytes.end());
  });
  return shared;
}

}  // namespace dltrain::dist
