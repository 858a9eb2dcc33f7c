require "include";
include "b";
