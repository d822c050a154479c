# %% [markdown]
# Neural networks are built from one very simple part, the artificial neuron, wired
# together in layers. This chapter builds that part by hand, trains it, finds the
# problem it cannot solve, and shows how adding a layer solves it. By the end you
# will have met every idea the rest of the course rests on.
#
# **You will learn to**
#
# - compute logic functions with threshold units, the oldest artificial neurons;
# - train a perceptron with its learning rule, written from scratch in NumPy, and
#   compare it with scikit-learn's `Perceptron`;
# - explain why no single perceptron learns XOR, and solve XOR with a hidden layer,
#   first by hand and then by training a small Keras model;
# - recognise the common activation functions and their derivatives, and see why a
#   network without them is just one linear map;
# - read backpropagation as reverse-mode automatic differentiation, and check the
#   gradients your Keras backend computes against finite differences;
# - say what a Keras backend is (TensorFlow, JAX or PyTorch), which one runs your
#   notebook, and how to switch.
#
# **Time:** about 30 minutes to read; the notebook runs in well under a minute on a
# laptop CPU.

# %% [markdown]
# ## Setup
#
# The first code cell, above, is the same in every notebook of the course: it makes
# the course's helper package `utils` importable (on Google Colab it first fetches the
# course and installs what Colab lacks), chooses the Keras backend, and prints the
# versions of Python, Keras and the backend, and whether a GPU is present.
#
# Besides NumPy and Matplotlib we use Keras (version 3). Keras runs on TensorFlow unless
# you choose JAX or PyTorch in that cell; section 8 explains what that changes.
# `set_seeds` seeds Python, NumPy and Keras in one call, so every run of this notebook
# on the same backend gives the same numbers.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import Perceptron

from utils.backends import backend, display_name
from utils.plots import plot_decision_boundary, save_fig
from utils.reproducibility import set_seeds
from utils.results import check_result

CHAPTER = "01_perceptron_and_xor"
set_seeds(42)

# %% [markdown]
# ## 1. From biological to artificial neurons
#
# A biological neuron collects electrical signals from other cells through its
# dendrites. When enough of them arrive at about the same time, it fires: it sends a
# short pulse down its axon to the next neurons. Any one neuron does very little; the
# brain's power comes from billions of them connected in layered networks.
#
# In 1943 Warren McCulloch and Walter Pitts proposed a mathematical caricature of this:
# a unit with binary inputs (on or off) that switches its binary output on when at
# least a **threshold** number of inputs are on. That is the first {{artificial neuron}}, and networks of such units are {{artificial neural networks}}. They showed that a network of these units can compute any
# logical proposition. Let's build three of them.


# %%
def mcculloch_pitts(inputs, threshold, inhibitory=()):
    """Fire (1) when at least `threshold` excitatory inputs are on and no inhibitory one is."""
    inputs = np.asarray(inputs)
    excitatory = [i for i in range(inputs.shape[-1]) if i not in inhibitory]
    blocked = inputs[..., list(inhibitory)].any(axis=-1) if inhibitory else False
    return ((inputs[..., excitatory].sum(axis=-1) >= threshold) & ~blocked).astype(int)


truth_table = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])

# %% [markdown]
# With two inputs, a threshold of 2 gives AND (both must be on) and a threshold of 1
# gives OR (one is enough). NOT needs an **inhibitory** input, which vetoes firing: a
# unit with a threshold of 0 always fires, unless its inhibitory input is on.

# %% tags=["nbval-check-output"]
and_outputs = mcculloch_pitts(truth_table, threshold=2)
or_outputs = mcculloch_pitts(truth_table, threshold=1)
not_outputs = mcculloch_pitts(truth_table[:2, 1:], threshold=0, inhibitory=(0,))

print("x1 x2 | AND OR")
for (x1, x2), a, o in zip(truth_table, and_outputs, or_outputs, strict=True):
    print(f" {x1}  {x2} |  {a}   {o}")
print("\nx | NOT x")
for x, n in zip([0, 1], not_outputs, strict=True):
    print(f"{x} |   {n}")

# %% [markdown]
# ## 2. The threshold logic unit
#
# McCulloch and Pitts' units only count. In 1957 Frank Rosenblatt generalised them
# into the **threshold logic unit (TLU)**: inputs are numbers, each connection has a
# {{weight}} $w_i$, and the unit adds a {{bias}} $b$. It computes the
# weighted sum $z = w_1 x_1 + \dots + w_n x_n + b = \mathbf{w}^\top\mathbf{x} + b$,
# then applies a {{step function}} to $z$:
#
# - the {{Heaviside step function}}: $\text{heaviside}(z) = 0$
#   if $z < 0$, else $1$;
# - the {{sign function}}: $\text{sgn}(z) = -1$ if $z < 0$, $0$ if $z = 0$,
#   $+1$ if $z > 0$.
#
# A TLU is therefore a linear classifier: it draws a straight line (a hyperplane, with
# more inputs) through input space and answers 1 on one side, 0 on the other.


# %%
def heaviside(z):
    return (np.asarray(z) >= 0).astype(int)


z = np.linspace(-3, 3, 601)
fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharex=True)
for ax, function, name in [(axes[0], heaviside, "Heaviside step"), (axes[1], np.sign, "sign")]:
    ax.plot(z, function(z), linewidth=2)
    ax.set(title=f"The {name} function", xlabel="z = w·x + b", ylabel="output")
    ax.grid(True, alpha=0.3)
fig.suptitle("Step functions used by threshold logic units")
fig.tight_layout()
save_fig("step_functions", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# ## 3. The perceptron: a layer of TLUs
#
# A {{perceptron}} is a single layer of TLUs, each connected to every
# input. A layer in which every unit is connected to every input is called a {{fully connected layer}} or {{dense layer}}; it is exactly what
# Keras calls `Dense`. With the inputs of a whole batch in a matrix $\mathbf{X}$ (one
# row per sample), the layer computes all its outputs at once:
#
# $$\mathbf{H} = \phi(\mathbf{X}\mathbf{W} + \mathbf{b})$$
#
# where $\mathbf{W}$ holds one column of weights per unit, $\mathbf{b}$ one bias per
# unit and $\phi$ is the step function. With 2 inputs and 3 units:

# %% tags=["nbval-check-output"]
X_batch = np.array([[1.0, 2.0], [0.5, -1.0], [-2.0, 0.0], [0.0, 0.0]])  # 4 samples, 2 inputs
W = np.array([[1.0, -1.0, 0.5], [0.5, 1.0, -1.0]])  # 2 inputs x 3 units
b = np.array([-1.0, 0.0, 0.25])  # 1 bias per unit

H = heaviside(X_batch @ W + b)
print("X:", X_batch.shape, " W:", W.shape, " b:", b.shape, " ->  H:", H.shape)
print(H)

# %% [markdown]
# Each row of `H` holds the three units' answers for one sample: a perceptron with
# several units is a **multilabel** classifier, one yes/no answer per unit.
#
# ## 4. Training a perceptron
#
# How should the weights change as the perceptron sees examples? In 1949 Donald Hebb
# suggested that when one neuron often helps to fire another, the connection between
# them grows stronger. This idea, {{Hebb's rule}}, inspired Rosenblatt's
# learning rule, which strengthens or weakens each weight according to the error the
# perceptron makes on one sample at a time:
#
# $$w_i \leftarrow w_i + \eta\,(y - \hat y)\,x_i \qquad b \leftarrow b + \eta\,(y - \hat y)$$
#
# Here $y$ is the target, $\hat y$ the perceptron's prediction and $\eta$ the
# {{learning rate}}. When the prediction is right, $y - \hat y = 0$ and
# nothing changes. When the unit wrongly stays silent ($y=1, \hat y=0$), every weight
# moves towards the input that should have made it fire; when it wrongly fires, away.
# One pass over the training set is an {{epoch}}.


# %%
def train_perceptron(X, y, learning_rate=1.0, epochs=10):
    """Rosenblatt's rule for one TLU. Returns weights, bias and mistakes per epoch."""
    weights, bias = np.zeros(X.shape[1]), 0.0
    mistakes_per_epoch = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y, strict=True):
            error = y_i - heaviside(x_i @ weights + bias)
            weights += learning_rate * error * x_i
            bias += learning_rate * error
            mistakes += int(error != 0)
        mistakes_per_epoch.append(mistakes)
    return weights, bias, mistakes_per_epoch


# %% [markdown]
# ### The iris data
#
# We train it on the classic iris data set, which scikit-learn ships (no download):
# 150 flowers of three species, with four measurements each. We keep two features,
# petal length and width, and ask one yes/no question: *is this flower an Iris
# setosa?*

# %% tags=["nbval-check-output"]
iris = load_iris(as_frame=True)
X_iris = iris.data[["petal length (cm)", "petal width (cm)"]].to_numpy()
y_iris = (iris.target == 0).to_numpy().astype(int)  # 1 for Iris setosa, 0 for the others
print(X_iris.shape, "setosa:", y_iris.sum(), "others:", (1 - y_iris).sum())

# %%
weights, bias, mistakes = train_perceptron(X_iris, y_iris)
scratch_accuracy = np.mean(heaviside(X_iris @ weights + bias) == y_iris)
print("weights:", weights, "bias:", bias)
print("mistakes in each epoch:", mistakes)
print(f"training accuracy of the NumPy perceptron: {scratch_accuracy:.3f}")

# %% [markdown]
# The perceptron makes a few mistakes in its first two epochs and none after (the checks
# at the end of the chapter hold the run to that): it has found a line that separates
# setosa from the other species. That is no accident. The
# {{perceptron convergence theorem}} says that if the two classes
# can be separated by a straight line (they are **linearly separable, 선형적으로 구분
# 가능**), the rule finds such a line after a finite number of mistakes.
#
# Updating the weights after every single sample, as this rule does, is also the idea of
# {{stochastic gradient descent}}, SGD for short, which follows the
# gradient of the loss on one sample (or a small batch) at a time. The perceptron rule is
# in fact SGD on a particular loss, and scikit-learn implements its `Perceptron` that way
# (the same as `SGDClassifier(loss="perceptron", learning_rate="constant", eta0=1,
# penalty=None)`). It also shuffles the samples each epoch and stops once the loss stops
# improving. Its learned line need not be ours, since many lines separate the data; the
# printout below shows its weights, and it too must get every flower right.

# %%
sklearn_perceptron = Perceptron(random_state=42)
sklearn_perceptron.fit(X_iris, y_iris)
sklearn_accuracy = sklearn_perceptron.score(X_iris, y_iris)
print("weights:", sklearn_perceptron.coef_[0], "bias:", sklearn_perceptron.intercept_[0])
print(f"training accuracy of sklearn's Perceptron: {sklearn_accuracy:.3f}")

# %% [markdown]
# The {{decision boundary}} is where $\mathbf{w}^\top\mathbf{x} + b = 0$:
# the line between the region the perceptron labels 1 and the region it labels 0.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
classifiers = [
    ("Our NumPy perceptron", lambda X: heaviside(X @ weights + bias)),
    ("scikit-learn's Perceptron", sklearn_perceptron.predict),
]
for ax, (title, predict) in zip(axes, classifiers, strict=True):
    plot_decision_boundary(predict, X_iris, y_iris, ax=ax, class_names=("other", "setosa"))
    ax.set(title=title, xlabel="petal length (cm)", ylabel="petal width (cm)")
fig.suptitle("Two perceptrons separate Iris setosa from the other species")
fig.tight_layout()
save_fig("iris_perceptrons", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# ## 5. XOR: what one perceptron cannot learn
#
# **XOR** (exclusive or) outputs 1 when exactly one of its two inputs is 1. Put its
# four points on a plane: the two 1s sit on one diagonal, the two 0s on the other. No
# straight line has both 1s on one side and both 0s on the other, so no TLU can
# compute XOR. In 1969 Marvin Minsky and Seymour Papert made this and related limits
# famous, and interest in neural networks faded for years.
#
# Let's see it happen. The perceptron rule never settles on XOR:

# %%
y_xor = np.array([0, 1, 1, 0])
_, _, xor_mistakes = train_perceptron(truth_table.astype(float), y_xor, epochs=20)
print("mistakes in each epoch on XOR:", xor_mistakes)

xor_perceptron = Perceptron(max_iter=1000, tol=None, random_state=42)
xor_perceptron.fit(truth_table, y_xor)
print(f"sklearn's Perceptron on XOR: accuracy {xor_perceptron.score(truth_table, y_xor):.2f}")

# %% [markdown]
# Is that bad luck? To check, try a great many lines: draw 20,000 random weight
# vectors and biases and keep the best accuracy any of them reaches on the four
# points. If one line could do it, some random line close to it would score 100%.

# %%
rng = np.random.default_rng(42)
random_weights = rng.normal(size=(20_000, 2))
random_biases = rng.normal(size=20_000)
outputs = heaviside(truth_table @ random_weights.T + random_biases)  # shape (4, 20000)
best_single_tlu_on_xor = (outputs == y_xor[:, None]).mean(axis=0).max()
print(f"best accuracy of 20,000 random TLUs on XOR: {best_single_tlu_on_xor:.2f}")

# %% [markdown]
# 75% is the ceiling: any line gets at most three of the four points right, and the
# random search reaches it (many random lines get three points right), but never more.
#
# ### Solving XOR with a hidden layer, by hand
#
# The way out is to stack perceptrons. XOR is "OR, but not AND", that is
# $\text{XOR}(a, b) = \text{AND}(\text{OR}(a, b), \text{NAND}(a, b))$. Each of
# these three is linearly separable, so each is one TLU. Two TLUs (OR and NAND) form
# a {{hidden layer}} between the {{input layer}} and the {{output layer}}, where a third (AND) combines them. A network with one or more
# hidden layers of TLUs is a {{multilayer perceptron, MLP}}.
#
# The signals in an MLP flow one way only, from the inputs through the hidden layers to
# the outputs, with no loop back: it is a
# {{feedforward neural network}}. When many hidden layers are
# stacked, the network is called a {{deep neural network, DNN}}, and
# {{deep learning}} is the field that builds and trains such deep networks.
# There is no sharp line: "deep" simply means more than a hidden layer or two.

# %% tags=["nbval-check-output"]
W_hidden = np.array([[1.0, -1.0], [1.0, -1.0]])  # column 0: OR, column 1: NAND
b_hidden = np.array([-0.5, 1.5])
w_output = np.array([1.0, 1.0])  # AND of the two hidden units
b_output = -1.5

hidden = heaviside(truth_table @ W_hidden + b_hidden)
hand_wired_outputs = heaviside(hidden @ w_output + b_output)
hand_wired_accuracy = np.mean(hand_wired_outputs == y_xor)
print("inputs -> hidden (OR, NAND) -> output")
for x, h, out in zip(truth_table, hidden, hand_wired_outputs, strict=True):
    print(f"{x} -> {h} -> {out}")

# %% [markdown]
# ### Learning XOR with Keras
#
# Wiring weights by hand does not scale. We want the network to *learn* them, which
# it can once two things change:
#
# 1. the step function becomes a smooth {{activation function}}
#    (here tanh in the hidden layer, and a {{sigmoid}} at the output,
#    $\sigma(z) = 1/(1+e^{-z})$, so that the output reads as a probability between 0
#    and 1; the sigmoid is also called the {{logistic function}});
# 2. the weights follow the gradient of a loss, computed by {{backpropagation}} (section 7) and applied by {{gradient descent}}.
#
# Keras does both. `keras.Sequential` stacks layers; `Dense(8, activation="tanh")` is
# a dense layer of 8 units. The loss is the
# {{binary cross-entropy}},
# $-[y \log p + (1 - y) \log(1 - p)]$ averaged over the samples, where $p$ is the
# predicted probability: the usual loss for a yes/no output. The optimizer is Adam, a
# refined gradient descent met in chapter 3. (Keras 3 spells the learning rate `learning_rate=`; Keras 2's old `lr=`
# is gone.) The four points are the whole training set, so one batch holds them all.

# %%
set_seeds(42)
xor_model = keras.Sequential(
    [
        keras.Input(shape=(2,)),
        keras.layers.Dense(8, activation="tanh"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
xor_model.compile(
    loss="binary_crossentropy",
    optimizer=keras.optimizers.Adam(learning_rate=0.05),
    metrics=["accuracy"],
)
xor_history = xor_model.fit(truth_table, y_xor, epochs=100, batch_size=4, verbose=0)

xor_probabilities = xor_model.predict(truth_table, verbose=0)[:, 0]
keras_xor_accuracy = np.mean((xor_probabilities >= 0.5) == y_xor)
print("P(XOR = 1) for each input:", np.round(xor_probabilities, 3))
print(f"accuracy of the Keras MLP on XOR: {keras_xor_accuracy:.2f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
xor_losses = xor_history.history["loss"]
xor_loss_ratio = xor_losses[-1] / xor_losses[0]  # how far the loss fell, checked at the end
axes[0].plot(np.arange(1, len(xor_losses) + 1), xor_losses)
axes[0].set(title="Training loss of the XOR network", xlabel="epoch", ylabel="binary cross-entropy")
axes[0].grid(True, alpha=0.3)
plot_decision_boundary(
    lambda X: (xor_model.predict(X, verbose=0, batch_size=4096)[:, 0] >= 0.5).astype(int),
    truth_table,
    y_xor,
    ax=axes[1],
    class_names=("XOR = 0", "XOR = 1"),
    padding=0.5,
)
axes[1].set(title="Its decision regions: not a straight line", xlabel="x1", ylabel="x2")
fig.tight_layout()
save_fig("xor_mlp", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# The hidden layer lets the network bend its decision boundary, and the loss falls
# as training finds weights that separate the diagonals: by the last epoch it is well
# under 1% of the first epoch's (the checks at the end hold the run to that).
#
# ## 6. Activation functions
#
# Backpropagation needs a useful derivative at every point, and the step function's
# derivative is 0 everywhere (and undefined at 0): it gives gradient descent nothing to
# follow. These smooth (or almost smooth) functions replace it:
#
# | function | formula | range | where you meet it |
# |---|---|---|---|
# | **sigmoid** (logistic) | $\sigma(z) = 1/(1+e^{-z})$ | (0, 1) | binary outputs, probabilities |
# | {{hyperbolic tangent}} | $\tanh(z)$ | (−1, 1) | hidden layers, centred outputs |
# | **ReLU** | $\max(0, z)$ | [0, ∞) | hidden layers: the default today |
# | **leaky ReLU** | $\max(\alpha z, z)$, small $\alpha$ | (−∞, ∞) | hidden layers; units never fully "die" |
# | **softplus** | $\log(1+e^{z})$ | (0, ∞) | a smooth ReLU; positive outputs |
#
# Keras provides all of them in `keras.activations`; the derivatives below are their
# formulas.

# %%
as_numpy = keras.ops.convert_to_numpy  # Keras activations return tensors
sigmoid = as_numpy(keras.activations.sigmoid(z))
activations = {  # name: (values, derivatives)
    "step": (heaviside(z), np.zeros_like(z)),
    "sigmoid": (sigmoid, sigmoid * (1 - sigmoid)),  # largest at z = 0: 0.5 × 0.5
    "tanh": (as_numpy(keras.activations.tanh(z)), 1 - np.tanh(z) ** 2),
    "ReLU": (as_numpy(keras.activations.relu(z)), (z > 0).astype(float)),
    "leaky ReLU (α=0.1)": (
        as_numpy(keras.activations.leaky_relu(z, negative_slope=0.1)),
        np.where(z > 0, 1.0, 0.1),
    ),
    "softplus": (as_numpy(keras.activations.softplus(z)), sigmoid),
}

sigmoid_slope_max = float(np.max(sigmoid * (1 - sigmoid)))

fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), sharex=True, sharey=True)
for ax, (name, (value, slope)) in zip(axes.flat, activations.items(), strict=True):
    ax.plot(z, value, linewidth=2, label="function")
    ax.plot(z, slope, "--", linewidth=2, label="derivative")
    ax.set(title=name, ylim=(-1.2, 2.2))
    ax.grid(True, alpha=0.3)
for ax in axes[-1]:
    ax.set_xlabel("z")
for ax in axes[:, 0]:
    ax.set_ylabel("value")
axes[0, 0].legend(loc="upper left")
fig.suptitle("Activation functions (solid) and their derivatives (dashed)")
fig.tight_layout()
save_fig("activation_functions", CHAPTER, fig=fig)
plt.show()

# %% [markdown]
# Two things to read off the dashed curves. The step's derivative is flat zero: no
# gradient. The sigmoid's derivative never exceeds 0.25 and vanishes for large $|z|$,
# which makes deep sigmoid networks slow to train (chapter 3 shows this); ReLU's is
# exactly 1 for every positive input.
#
# {{Softmax}} is different: it acts on a whole vector of scores, one per
# class, and turns them into probabilities that are positive and sum to 1. It is the
# output activation of multiclass classifiers (chapter 3). Its derivative is a matrix
# (every output depends on every score).

# %% tags=["nbval-check-output"]
scores = np.array([2.0, 1.0, 0.1])
probabilities = as_numpy(keras.activations.softmax(scores))
print("scores:       ", scores)
print("probabilities:", np.round(probabilities, 3), " sum:", round(float(probabilities.sum()), 6))
softmax_sum_gap = abs(float(probabilities.sum()) - 1.0)

# %% [markdown]
# ### Why a network needs nonlinear activations
#
# A dense layer without activation computes $\mathbf{x}\mathbf{W}_1 + \mathbf{b}_1$.
# Feed that to a second one and you get
# $(\mathbf{x}\mathbf{W}_1 + \mathbf{b}_1)\mathbf{W}_2 + \mathbf{b}_2 =
# \mathbf{x}(\mathbf{W}_1\mathbf{W}_2) + (\mathbf{b}_1\mathbf{W}_2 + \mathbf{b}_2)$:
# a single linear layer with weights $\mathbf{W}_1\mathbf{W}_2$. However many linear
# layers you stack, the result is one linear map, no better than a perceptron at XOR.
# Let's verify it on a random three-layer Keras model.

# %%
set_seeds(42)
linear_stack = keras.Sequential(
    [keras.Input(shape=(4,))] + [keras.layers.Dense(units) for units in (16, 8, 3)]
)
# Random biases, so the check is not trivially true with the default zero biases.
for layer in linear_stack.layers:
    layer.bias.assign(np.random.default_rng(0).normal(size=layer.bias.shape))
(W1, b1), (W2, b2), (W3, b3) = [layer.get_weights() for layer in linear_stack.layers]

W_single = W1 @ W2 @ W3
b_single = (b1 @ W2 + b2) @ W3 + b3
x_test = np.random.default_rng(1).normal(size=(1000, 4)).astype("float32")
gap = np.abs(linear_stack.predict(x_test, verbose=0) - (x_test @ W_single + b_single)).max()
print(
    f"the stack has {linear_stack.count_params()} parameters; "
    f"the single layer {W_single.size + b_single.size}"
)
print(f"largest difference between their outputs on 1,000 inputs: {gap:.1e}")
stack_parameters, single_parameters = linear_stack.count_params(), W_single.size + b_single.size

# %% [markdown]
# The difference is float32 rounding: 243 parameters, and the model is still only a
# 4-to-3 linear map with 15. Nonlinear activations between the layers are what let
# depth pay off.
#
# ## 7. Backpropagation is reverse-mode autodiff
#
# Training means computing, for every weight, how much the loss would change if that
# weight moved a little: the {{gradient}} of the loss. In 1986 David
# Rumelhart, Geoffrey Hinton and Ronald Williams popularised {{backpropagation}}, which gets all of them in two passes:
#
# 1. the {{forward pass}} runs a batch through the network and keeps
#    every intermediate result;
# 2. the {{backward pass}} starts from the loss and applies the {{chain rule}} layer by layer, from the output back to the inputs, to find
#    how much each weight contributed to the error.
#
# Gradient descent then nudges every weight against its gradient, and the loop
# repeats. The backward pass is {{reverse-mode automatic differentiation}}: its cost is a small multiple of one forward pass, however many
# weights the network has.
#
# Keras leaves this work to its backend (section 8), and each backend has its own
# autodiff, with its own idea of what to differentiate:
#
# - **TensorFlow**: `tf.GradientTape` records the operations run inside its `with`
#   block, then replays them backwards: `tape.gradient(loss, variables)`.
# - **JAX** differentiates *functions*: `jax.grad(f)` is a new function that returns the
#   gradient of `f` with respect to its first argument, and `jax.value_and_grad(f)`
#   returns the value of `f` too. A Keras model keeps its weights in variables, so we
#   write the loss as a function of the weights' values: `model.stateless_call(values,
#   non_trainable_values, inputs)` runs the model with the values given instead of its own.
# - **PyTorch** records the operations on every tensor created with `requires_grad=True`
#   (the trainable weights of a Keras model are such tensors); `loss.backward()` runs the
#   record backwards and leaves each weight's gradient in its `.grad`.
#
# The cell below takes the branch of the backend this notebook runs on (`backend()`
# says which). All three compute the same thing: the gradient of the loss with respect
# to every weight of a small network.
#
# Let's check the answer the slow way, by **finite differences**: nudge one weight by
# a tiny $\varepsilon$ up and down, and measure the change in the loss,
# $\partial L/\partial w \approx (L(w+\varepsilon) - L(w-\varepsilon)) / 2\varepsilon$.
# Rounding limits how small $\varepsilon$ can usefully be. On TensorFlow the network
# computes in float64, so $\varepsilon = 10^{-6}$ works. Keras on JAX and PyTorch
# computes a layer's matrix product in float32 even when the layer asks for float64 (its
# type rules follow JAX's 32-bit default), so there the whole comparison runs in float32,
# with a larger $\varepsilon$.

# %%
# float64 where the backend computes in it; float32, with a larger nudge, elsewhere.
dtype, epsilon = ("float64", 1e-6) if backend() == "tensorflow" else ("float32", 3e-3)
set_seeds(42)
tiny_network = keras.Sequential(
    [
        keras.Input(shape=(3,)),
        keras.layers.Dense(4, activation="tanh", dtype=dtype),
        keras.layers.Dense(1, dtype=dtype),
    ]
)
# Backend tensors, not NumPy arrays: PyTorch cannot subtract an array from a tensor
# that records its operations.
X_tiny = keras.ops.convert_to_tensor(np.random.default_rng(3).normal(size=(8, 3)), dtype)
y_tiny = keras.ops.convert_to_tensor(np.random.default_rng(4).normal(size=(8, 1)), dtype)


def mse(predictions):
    return keras.ops.mean((predictions - y_tiny) ** 2)


tiny_weights = tiny_network.trainable_variables
if backend() == "tensorflow":
    import tensorflow as tf

    with tf.GradientTape() as tape:  # records what runs inside the block
        loss = mse(tiny_network(X_tiny))
    autodiff_gradients = tape.gradient(loss, tiny_weights)
elif backend() == "jax":
    import jax

    def loss_of(values):  # the loss as a function of the weights' values
        predictions, _ = tiny_network.stateless_call(values, [], X_tiny)  # []: no other state
        return mse(predictions)

    loss, autodiff_gradients = jax.value_and_grad(loss_of)([w.value for w in tiny_weights])
else:  # PyTorch
    loss = mse(tiny_network(X_tiny))  # recorded: the weights have requires_grad=True
    loss.backward()  # fills each weight's .grad
    autodiff_gradients = [w.value.grad for w in tiny_weights]
print(f"{display_name()}: loss {float(as_numpy(loss)):.6f}")
print("gradient shapes:", [tuple(g.shape) for g in autodiff_gradients])


# %%
def finite_difference_gradients(model, loss_function, epsilon):
    """Nudge each weight up and down in turn: two forward passes per weight."""
    gradients = []
    for variable in model.trainable_variables:
        values = as_numpy(variable).copy()
        gradient = np.zeros_like(values)
        for index in np.ndindex(values.shape):
            original = values[index]
            values[index] = original + epsilon
            variable.assign(values)
            loss_up = float(as_numpy(loss_function(model)))
            values[index] = original - epsilon
            variable.assign(values)
            loss_down = float(as_numpy(loss_function(model)))
            values[index] = original
            variable.assign(values)
            gradient[index] = (loss_up - loss_down) / (2 * epsilon)
        gradients.append(gradient)
    return gradients


numeric_gradients = finite_difference_gradients(
    tiny_network, lambda model: mse(model(X_tiny)), epsilon
)
gradient_relative_error = max(
    np.abs(as_numpy(a) - n).max() / (np.abs(n).max() + 1e-12)
    for a, n in zip(autodiff_gradients, numeric_gradients, strict=True)
)
print(
    f"{tiny_network.count_params()} weights: finite differences needed "
    f"{2 * tiny_network.count_params()} forward passes; autodiff needed one backward pass"
)
print(f"largest relative difference between the two ({dtype}): {gradient_relative_error:.1e}")

# %% [markdown]
# In float64, on TensorFlow, both methods agree to about nine significant digits; in
# float32, on JAX and PyTorch, to about three or four, which is as far as finite
# differences in float32 can see (the checks at the end hold each backend to its own
# bound). Finite differences need two forward passes *per weight*, which is hopeless for
# a network with millions of weights; backpropagation gets every gradient in one
# backward pass. Every `fit` in this course runs this loop: forward pass, loss, backward
# pass, gradient step.
#
# ## 8. Keras and its three backends
#
# Keras describes the model: its layers, its loss, and what `compile`, `fit` and
# `evaluate` do with them. The arithmetic underneath, the tensors, the matrix products
# and the gradients of section 7, is done by a {{backend}}: TensorFlow, JAX or
# PyTorch. Keras 3 runs the same model code on any of the three.
#
# **How to switch.** Keras reads the environment variable `KERAS_BACKEND` once, when it
# is first imported. The setup cell at the top of every notebook sets it in one marked
# line, `choose_keras_backend("tensorflow")`: write `"jax"` or `"torch"` there
# instead, or set `KERAS_BACKEND` before you start Jupyter (for example
# `KERAS_BACKEND=jax jupyter lab`; a value set that way wins over the cell's). It must
# be set before the first `import keras`, so after changing it, restart the kernel and
# run the notebook from the top: the setup cell stops with a message if the kernel
# already runs another backend. JAX and PyTorch are installed with
# `pip install -r requirements-backends.txt` (Colab has both).
#
# **What stays the same** is the model code: layers, `keras.Sequential`, `compile`,
# `fit`, `evaluate` and `predict`, the losses, optimizers and metrics, `keras.ops`, and
# models saved in `.keras` files (chapter 6), which load on any backend.
#
# **What is backend-specific** is whatever calls the backend itself:
#
# - automatic differentiation, as section 7 showed: `tf.GradientTape`, `jax.grad` or
#   `jax.value_and_grad` of a function, or `requires_grad` and `backward()` in PyTorch;
# - TensorFlow's tools for Keras models: loading an exported SavedModel as a layer
#   (`TFSMLayer`, chapter 6) and training on several devices with `MirroredStrategy`
#   (chapter 9) need the TensorFlow backend, while `tf.data` pipelines and `tf.summary`
#   logs (chapter 7) work from any backend as long as TensorFlow is installed;
# - how `fit` runs a training step: TensorFlow compiles it into a graph
#   (`tf.function`), JAX compiles it with `jax.jit`, and on PyTorch Keras runs each step
#   eagerly, one operation after another (there `steps_per_execution` above 1, met in
#   chapter 2, is not available);
# - random numbers: the same seed draws different numbers on each backend, so initial
#   weights and printed results differ a little from one backend to another, and a few
#   of the checks have a bound per backend.
#
# This notebook runs on:

# %%
print("Keras runs on:", keras.backend.backend())  # "tensorflow", "jax" or "torch"

# %% [markdown]
# **How long the course takes on each backend.** The course's benchmark
# (`python -m tools bench --backends tensorflow jax torch`) runs every notebook from
# top to bottom on each backend, one after the other on one machine, and writes the
# times to `benchmarks/backends.json`. The cell below reads that file, prints where and
# when the times were measured and the total per backend, and shows each chapter's time
# in seconds. They are one machine's times: on another processor, or with a GPU, the
# times and their order can change.

# %%
import json

import pandas as pd

from utils.paths import PROJECT_ROOT

benchmark = json.loads((PROJECT_ROOT / "benchmarks" / "backends.json").read_text("utf-8"))
machine = benchmark["machine"]
package_names = {"python": "Python", "keras": "Keras"}  # and display_name() for a backend
versions = ", ".join(
    f"{package_names.get(package) or display_name(package)} {version}"
    for package, version in benchmark["versions"].items()
)
print(
    f"Measured on {benchmark['date']} on {machine['cpu']} ({machine['cores']} cores, "
    f"GPU: {machine['gpu'] or 'none'}), with {versions}."
)
if "provisional" in benchmark:
    print("Provisional:", benchmark["provisional"])
chapter_seconds = pd.DataFrame(
    {
        display_name(name): {  # "notebooks/01_perceptron_and_xor.ipynb" -> "01_perceptron..."
            run["notebook"].removeprefix("notebooks/").removesuffix(".ipynb"): run["wall_s"]
            for run in runs
            if run["notebook"].count("/") == 1  # the lessons, not solutions/ or ko/
        }
        for name, runs in benchmark["backends"].items()
    }
).round()
chapter_seconds.index.name = "chapter"
timed_everywhere = chapter_seconds.dropna()  # a total only over chapters timed on every backend
print(f"Total of the {len(timed_everywhere)} chapter(s) timed on every backend, in seconds:")
print(timed_everywhere.sum().to_string())
failed = [
    f"{display_name(name)}: {run['notebook']}"
    for name, runs in benchmark["backends"].items()
    for run in runs
    if not run["passed"]
]
if failed:
    print("These runs failed a check or a cell:", "; ".join(failed))
chapter_seconds

# %% [markdown]
# ## What you should have seen
#
# Each line below checks one result of this chapter against what it should be. If
# one fails, the cell stops with a message: re-run the notebook from the top.

# %%
check_result("NumPy perceptron, setosa vs rest (train accuracy)", scratch_accuracy, at_least=1.0)
# "A few mistakes in its first two epochs and none after": the rule starts from zero
# weights and visits the flowers in a fixed order, so these counts do not vary from run to
# run (mistakes per epoch in this run: printed in section 4).
check_result("NumPy perceptron: fewest mistakes in epochs 1-2", min(mistakes[:2]), at_least=1)
check_result("NumPy perceptron: mistakes after epoch 2", sum(mistakes[2:]), at_most=0)
check_result("sklearn Perceptron, setosa vs rest (train accuracy)", sklearn_accuracy, at_least=1.0)
# "The perceptron rule never settles on XOR": at least one mistake in every one of 20 epochs.
check_result("perceptron rule on XOR: fewest mistakes in an epoch", min(xor_mistakes), at_least=1)
# No line gets more than 3 of XOR's 4 points right, so a check "at most 0.75" could never
# fail. What the section claims is that 20,000 random lines do reach that ceiling (a broken
# search, with weights that never vary, would not) and never pass it (if one did, the
# scoring would be wrong): the value must be exactly 0.75.
check_result(
    "best random single TLU on XOR reaches the ceiling exactly (accuracy)",
    best_single_tlu_on_xor,
    at_least=0.75,
    at_most=0.75,
)
check_result("hand-wired two-layer network on XOR (accuracy)", hand_wired_accuracy, at_least=1.0)
check_result("Keras MLP on XOR (accuracy)", keras_xor_accuracy, at_least=1.0)
# Final XOR loss over the first epoch's, with seeds 42, 0 and 1: on TensorFlow 0.0030,
# 0.0025 and 0.0023 (spread 0.0007); on JAX 0.0045, 0.0044 and 0.0052 (spread 0.0008); on
# PyTorch 0.0048, 0.0043 and 0.0049 (spread 0.0006). Each bound is its backend's worst seed
# plus the spread (the backends draw different initial weights from the same seed).
check_result(
    "Keras MLP on XOR (final loss / first loss)",
    xor_loss_ratio,
    at_most={"tensorflow": 0.004, "jax": 0.006, "torch": 0.0056},
)
check_result("sigmoid's largest derivative", sigmoid_slope_max, at_least=0.25, at_most=0.25)
check_result("softmax probabilities sum to 1 (difference)", softmax_sum_gap, at_most=1e-6)
check_result("parameters of the 3-layer linear stack", stack_parameters, at_least=243, at_most=243)
check_result("parameters of the equivalent layer", single_parameters, at_least=15, at_most=15)
# "Float32 rounding": 7.5e-7, 1.9e-6 and 7.2e-7 for seeds 42, 0 and 1 (spread 1.2e-6); on
# JAX and PyTorch at most 9.5e-7 over the same seeds.
check_result("linear stack vs single layer (largest difference)", gap, at_most=3e-6)
# "About nine significant digits" in float64 on TensorFlow: 2.4e-10, 8.1e-10 and 4.1e-10
# for seeds 42, 0 and 1 (spread 5.7e-10). "Three or four" in float32 with epsilon 3e-3: on
# JAX 2.4e-4, 7.7e-5 and 1.2e-4 (spread 1.6e-4); on PyTorch 7.5e-5, 5.5e-5 and 5.3e-4
# (spread 4.8e-4). Each bound is its backend's worst seed plus the spread.
check_result(
    "autodiff vs finite differences (relative error)",
    gradient_relative_error,
    at_most={"tensorflow": 1.4e-9, "jax": 4e-4, "torch": 1.1e-3},
)

# %% [markdown]
# ## Recap
#
# - An artificial neuron computes a weighted sum of its inputs plus a bias, then
#   applies an activation function. With a step function it is a **TLU**, a linear
#   classifier.
# - A **perceptron** is one dense layer of TLUs. Its learning rule adjusts weights on
#   every mistake and converges whenever the classes are linearly separable.
# - **XOR** is not linearly separable, so no perceptron learns it; one **hidden layer**
#   is enough, which makes the network a **multilayer perceptron**.
# - To train an MLP with gradients, the step is replaced by smooth activations such
#   as sigmoid, tanh or ReLU. Without any nonlinearity a deep network is just one
#   linear map.
# - **Backpropagation** is reverse-mode autodiff: one forward and one backward pass
#   give the gradient of the loss for every weight. Each backend has its own tool for it
#   (`tf.GradientTape`, `jax.grad`, `backward()`), and `fit` uses it for us.
# - Keras builds and trains the model; its **backend**, TensorFlow, JAX or PyTorch, does
#   the arithmetic. `KERAS_BACKEND`, set before Keras is first imported, chooses it.
#
# Next, chapter 2 puts an MLP to work on a real regression problem.

# %% [markdown] tags=["exercises"]
# ## Exercises
#
# Answer each exercise in its cell, replacing the `...`, then run the check below it.
# A check tells you whether you are right, and if not, what is off; `.hint()` gives a
# nudge. The checks never stop the notebook, so you can come back to any exercise.
# Worked solutions are in `solutions/01_perceptron_and_xor.ipynb`.

# %%
# The imports the exercises use, so this section also runs on its own.
import keras
import matplotlib.pyplot as plt
import numpy as np

from utils.backends import backend
from utils.exercises import ch01
from utils.plots import plot_decision_boundary
from utils.reproducibility import set_seeds

# %% [markdown]
# **Exercise 1.** Which of these Boolean functions of two inputs can a single TLU
# compute: `"AND"`, `"OR"`, `"NAND"`, `"XOR"`, `"XNOR"`? Give a set of names.

# %%
answer_1 = ...  # STUB
# BEGIN SOLUTION
answer_1 = {"AND", "OR", "NAND"}
# END SOLUTION
ch01.q1.check(answer_1)

# %% [markdown]
# **Exercise 2.** A dense layer of 3 neurons receives 4 inputs. How many parameters
# (weights and biases) does it have?

# %%
answer_2 = ...  # STUB
# BEGIN SOLUTION
answer_2 = 4 * 3 + 3  # a weight per input per neuron, plus a bias per neuron
# END SOLUTION
ch01.q2.check(answer_2)

# %% [markdown]
# **Exercise 3.** Why must the step function be replaced before an MLP can be trained
# with gradient descent? Answer `"a"`, `"b"` or `"c"`.
#
# - a) The step function is too slow to compute for large networks.
# - b) Its derivative is zero wherever it is defined, so the gradient carries no signal.
# - c) It cannot output negative values.

# %%
answer_3 = ...  # STUB
# BEGIN SOLUTION
answer_3 = "b"
# END SOLUTION
ch01.q3.check(answer_3)

# %% [markdown]
# **Exercise 4.** A network stacks three dense layers *without activation
# functions*: 10 inputs → 50 → 50 → 1 output. The single dense layer it is
# equivalent to has how many parameters?

# %%
answer_4 = ...  # STUB
# BEGIN SOLUTION
answer_4 = 10 * 1 + 1  # one 10-to-1 linear map: 10 weights and 1 bias
# END SOLUTION
ch01.q4.check(answer_4)

# %% [markdown]
# **Exercise 5.** Wire a two-layer network of TLUs (Heaviside step, firing when
# $z \ge 0$) that computes **XNOR**: 1 when both inputs are equal, 0 otherwise. Give
# `(hidden_weights, hidden_biases, output_weights, output_bias)` with shapes (2, 2),
# (2,), (2,) and a number, in the same layout as the hand-wired XOR network above.

# %%
xnor_network = ...  # STUB
# BEGIN SOLUTION
# Hidden unit 0 computes AND (fires only when both inputs are on), hidden unit 1
# computes NOR (fires only when both are off); the output ORs them.
xnor_network = (
    np.array([[1.0, -1.0], [1.0, -1.0]]),
    np.array([-1.5, 0.5]),
    np.array([1.0, 1.0]),
    -0.5,
)
# END SOLUTION
ch01.q5.check(xnor_network)

# %% [markdown]
# **Exercise 6.** A one-weight model predicts $\hat y = w x + b$ and its loss is
# $L = (\hat y - y)^2$. With $x = 3$, $y = 1$, $w = 0.5$ and $b = 0.25$, use your
# backend's automatic differentiation (section 7: `tf.GradientTape` on TensorFlow,
# `jax.grad` on JAX, `requires_grad=True` and `backward()` on PyTorch) to compute
# $\partial L/\partial w$ and $\partial L/\partial b$. Give them as a pair of numbers.
# `backend()` says which backend runs this notebook; you only need its branch.

# %%
gradients_6 = ...  # STUB
# BEGIN SOLUTION
if backend() == "tensorflow":
    import tensorflow as tf

    w, b = tf.Variable(0.5), tf.Variable(0.25)
    with tf.GradientTape() as tape:
        loss = (w * 3.0 + b - 1.0) ** 2
    dloss_dw, dloss_db = tape.gradient(loss, [w, b])
elif backend() == "jax":
    import jax

    def loss_6(w, b):
        return (w * 3.0 + b - 1.0) ** 2

    # argnums=(0, 1): the gradient with respect to both arguments, w and b.
    dloss_dw, dloss_db = jax.grad(loss_6, argnums=(0, 1))(0.5, 0.25)
else:  # PyTorch
    import torch

    w = torch.tensor(0.5, requires_grad=True)
    b = torch.tensor(0.25, requires_grad=True)
    loss = (w * 3.0 + b - 1.0) ** 2
    loss.backward()
    dloss_dw, dloss_db = w.grad, b.grad
gradients_6 = (float(dloss_dw), float(dloss_db))
print(gradients_6)
# END SOLUTION
ch01.q6.check(gradients_6)

# %% [markdown]
# **Exercise 7 (coding).** The "two moons" data set below has two classes shaped like
# interlocking half-moons: no straight line separates them. Build and train a Keras
# MLP that classifies new points from the same distribution with at least 93%
# accuracy. End it with `Dense(1, activation="sigmoid")`, compile it with binary
# cross-entropy as the loss (`loss="binary_crossentropy"`), and pass the trained model
# to the check, which tests it on 2,000 fresh points.

# %%
from sklearn.datasets import make_moons

X_moons, y_moons = make_moons(n_samples=1000, noise=0.2, random_state=42)
set_seeds(42)

moons_model = ...  # STUB
# BEGIN SOLUTION
moons_model = keras.Sequential(
    [
        keras.Input(shape=(2,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
moons_model.compile(
    loss="binary_crossentropy",
    optimizer=keras.optimizers.Adam(learning_rate=0.01),
    metrics=["accuracy"],
)
moons_model.fit(X_moons, y_moons, epochs=60, batch_size=32, verbose=0)
plot_decision_boundary(
    lambda X: (moons_model.predict(X, verbose=0, batch_size=4096)[:, 0] >= 0.5).astype(int),
    X_moons,
    y_moons,
)
plt.title("Decision regions of the moons classifier")
plt.xlabel("x1")
plt.ylabel("x2")
plt.show()
# END SOLUTION
ch01.q7.check(moons_model)

# %% [markdown]
# See how far you have come:

# %%
ch01.progress()

# %% tags=["solution-only"]
# Every solution above must pass its check: this cell fails loudly if one does not.
ch01.assert_all_correct()
