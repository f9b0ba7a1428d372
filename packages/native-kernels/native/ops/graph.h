// A frozen network (a pretrained base in inference mode, its batch norms folded into the
// convolutions) compiled into one chain of oneDNN primitives. Between layers the activations stay
// in the layout and data type the primitives chose, the weights are reordered once, and a batch
// is one call: none of the per-layer conversions, allocations and JavaScript of a layer-by-layer
// forward pass.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace xk {

/** One layer of a frozen graph. */
struct GraphNode {
  enum class Op { kConv, kMaxPool, kRelu, kAdd };
  Op op = Op::kConv;
  /**
   * Earlier nodes' indices, -1 for the graph's input: one input, two for kAdd. A kConv may have a
   * second, a residual of its output's shape: y = relu?(conv(x) + bias + residual).
   */
  std::vector<int> inputs;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;                         // kConv, kMaxPool
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;  // kConv, kMaxPool
  int64_t groups = 1, oc = 0;                                     // kConv; groups = input channels: depthwise
  std::vector<float> weights;                                     // kConv: tfjs layout [kh, kw, in/groups, oc]
  std::vector<float> bias;                                        // kConv: oc values, or empty
  bool relu = false;                                              // kConv: relu last
};

/** An activation's shape without the batch: height, width, channels (NHWC). */
struct GraphShape {
  int64_t h = 0, w = 0, c = 0;
};

class FrozenGraph {
 public:
  /** Validates every node against the shapes that flow into it; throws std::invalid_argument naming the node. */
  FrozenGraph(std::vector<GraphNode> nodes, GraphShape input);
  ~FrozenGraph();

  GraphShape output_shape() const { return shapes_.back(); }
  GraphShape input_shape() const { return input_; }

  /**
   * y = the graph on x, both float32 NHWC with `n` images. The primitives for a batch size and
   * the current compute precision are built on its first run and kept.
   */
  void run(int64_t n, const float* x, float* y);

 private:
  class Plan;
  std::vector<GraphNode> nodes_;
  GraphShape input_;
  std::vector<GraphShape> shapes_;
  std::map<std::pair<int64_t, int>, std::unique_ptr<Plan>> plans_;
};

}  // namespace xk
