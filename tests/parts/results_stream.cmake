# Streaming results writer (io/sk_results_stream.c) and the block reader: bitwise equal to
# sk_results_write at chunk boundaries and across commits (append_from), atomic commit/abort,
# stale temporary files, strings too wide; then `synkti export` of a streamed file and of the
# same table written whole give the same bytes (CSV and JSON).
add_executable(test_results_stream ${CMAKE_CURRENT_SOURCE_DIR}/test_results_stream.c)
target_compile_options(test_results_stream PRIVATE ${SK_CFLAGS})
target_link_libraries(test_results_stream PRIVATE synkti_core)
add_test(NAME results_stream COMMAND test_results_stream)
add_test(NAME results_stream_export COMMAND sh -c [[
  D=$(mktemp -d /tmp/sk_rs_export_XXXXXX); trap 'rm -rf "$D"' EXIT
  "$1" --pair "$D" || exit 1
  for f in csv tsv json; do
    "$0" export "$D/whole.h5" -f $f >"$D/w.$f" && "$0" export "$D/stream.h5" -f $f >"$D/s.$f" || exit 1
    cmp "$D/w.$f" "$D/s.$f" || { echo "export $f differs"; exit 1; }
    [ "$(wc -l <"$D/s.$f")" -ge 101 ] || { echo "export $f: too few lines"; exit 1; }
  done
  echo ok]] $<TARGET_FILE:synkti> $<TARGET_FILE:test_results_stream>)
