// SIGINT/SIGTERM during training: the first signal only sets a flag that the trainer checks
// after each step (it then writes a resume checkpoint and stops); a second one exits at once.
#pragma once

namespace dltrain::train {

class InterruptHandler {
 public:
  InterruptHandler();   // installs the handlers
  ~InterruptHandler();  // restores the previous ones
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

  // 0 while no signal arrived, else the first signal's number.
  static int pending();
  static const char* name(int signal);
  static int exit_code(int signal);  // 128 + signal: 130 for SIGINT, 143 for SIGTERM
};

}  // namespace dltrain::train
