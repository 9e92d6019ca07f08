# Price and network models (models/sk_price.c, models/sk_net.c): synthetic-path fits, loaders and
# grids against the shared datasets (found through the trace search path), `synkti fit price`.
foreach(t price net)
  add_executable(test_${t} ${CMAKE_CURRENT_SOURCE_DIR}/test_${t}.c)
  target_compile_options(test_${t} PRIVATE ${SK_CFLAGS})
  target_link_libraries(test_${t} PRIVATE synkti_core)
  add_test(NAME ${t} COMMAND test_${t})
endforeach()
# `synkti fit price`: a fit on the shared ticks file (table and JSON), and the documented exit codes
# (78 unknown series, 65 a constant series, 66 missing file, 64 usage).
add_test(NAME fit_price_cli COMMAND sh -c [[
  S=$0; t=aws-v100-multinode/v100_1node_prices/us-west-2c_v100_1.json
  "$S" fit price --ticks $t | grep -q '^  model: ou$' || { echo "no YAML snippet"; exit 1; }
  "$S" fit price --ticks $t --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["theta"]["value"] > 0 and d["samples"] == 1092, d' || exit 1
  "$S" fit price --gcp no-such-type us-central1 2>/dev/null; [ $? -eq 78 ] || { echo "unknown pair: not 78"; exit 1; }
  "$S" fit price --gcp g2-standard-4 us-central1 --on-demand 2>/dev/null; [ $? -eq 65 ] || { echo "constant: not 65"; exit 1; }
  "$S" fit price --ticks /nonexistent.json 2>/dev/null; [ $? -eq 66 ] || { echo "missing: not 66"; exit 1; }
  "$S" fit price --gcp g2-standard-4 2>/dev/null; [ $? -eq 64 ] || { echo "usage: not 64"; exit 1; }
  "$S" fit price --help | grep -q '^usage: synkti fit price' || exit 1
  echo ok]] $<TARGET_FILE:synkti>)
