"""numgrad: numerical derivatives and gradients, exact to the textbook and safe to use."""

from numgrad._result import DerivativeResult
from numgrad.check import GradientCheck, check_gradient
from numgrad.descent import gradient_descent
from numgrad.diff import TangentLine, numerical_diff, tangent_line
from numgrad.gradient import numerical_gradient
from numgrad.hessian import numerical_hessian
from numgrad.jacobian import numerical_jacobian
from numgrad.network import TwoLayerNet
from numgrad.nn import SimpleNet, cross_entropy_error, softmax

__all__ = [
    "DerivativeResult",
    "GradientCheck",
    "SimpleNet",
    "TangentLine",
    "TwoLayerNet",
    "check_gradient",
    "cross_entropy_error",
    "gradient_descent",
    "numerical_diff",
    "numerical_gradient",
    "numerical_hessian",
    "numerical_jacobian",
    "softmax",
    "tangent_line",
]
__version__ = "0.1.0"
