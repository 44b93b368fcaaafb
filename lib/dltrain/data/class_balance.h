// Class counts and seeded per-class subsets: the tools for building imbalanced experiments
// (a long-tailed training split from a balanced dataset) and for measuring imbalance.
#pragma once

#include <cstdint>
#include <vector>

namespace dltrain::data {

// How many samples of each class 0..num_classes-1 the labels hold.
std::vector<int64_t> class_counts(const std::vector<int64_t>& labels, int64_t num_classes);

// The exponential long-tail profile (Cui et al. 2019): class c keeps ratio^(-c/(k-1)) of its
// samples, so class 0 keeps all and class k-1 keeps 1/ratio. ratio >= 1; one class keeps all.
std::vector<double> long_tail_fractions(int64_t num_classes, double imbalance_ratio);

// A seeded pick of round(fractions[c] * n_c) samples of each class c (at least one of a class
// that has any), returned as sorted indices into labels. fractions.size() must cover every label.
std::vector<int64_t> class_fraction_subset(const std::vector<int64_t>& labels, const std::vector<double>& fractions,
                                           uint64_t seed);

}  // namespace dltrain::data
