require "include";
include "d3";
